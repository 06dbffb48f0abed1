import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { MemorySecrets } from '../../src/services/secrets/index.js';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, type TestDatabase } from '../helpers/mysql.js';
import { TestAdapter, users } from '../helpers/test-adapter.js';

/** The YAML examples of docs/commands.md, run as written: only the hosts are pointed at this test's servers. */
let blocks: string[] = [];
let db: TestDatabase;
let server: Server;
let queues = '';
const password = randomBytes(12).toString('hex');
let user = '';
beforeAll(async () => {
  const doc = await readFile(new URL('../../docs/commands.md', import.meta.url), 'utf8');
  blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  db = await createTestDatabase({ migrate: false });
  await db.admin.query('CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, status VARCHAR(20), total DECIMAL(10,2), created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP)');
  await db.admin.query("INSERT INTO orders (status, total) VALUES ('shipped', 100.40), ('shipped', 9012.00), ('paid', 5.00)");
  await db.admin.query("INSERT INTO orders (status, total, created_at) VALUES ('shipped', 1.00, '2001-01-01')");
  user = `${db.name}_ro`;
  await db.admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
  await db.admin.query(`GRANT SELECT ON ${db.name}.orders TO '${user}'@'%'`);
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.url === '/api/queues/orders' && req.headers.authorization === 'Bearer q-token-1234' ? { depth: 42 } : { error: 'no' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  queues = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await db.admin.query(`DROP USER IF EXISTS '${user}'@'%'`);
  await db.drop();
});

function example(name: string): ConfigInput {
  const block = blocks.find((b) => b.includes(`name: ${name}`));
  if (!block) throw new Error(`docs/commands.md has no example of ${name}`);
  const text = block.replace('https://queues.internal', queues).replace('@db.internal:3306/shop', `@${MYSQL_HOST}:${MYSQL_PORT}/${db.name}`).replace('mysql://ops_ro:', `mysql://${user}:`);
  const { config } = parseConfig(text, { OPS_RO_PASSWORD: password }, 'docs/commands.md');
  // The built config goes back in as input: leave out the defaulted jobs section, whose durations are built to ms.
  const { jobs: _jobs, ...rest } = config;
  return { ...(rest as unknown as ConfigInput), access: { users: users({ 'console:vic': ['viewer'] }) } };
}

describe('docs/commands.md examples', () => {
  it('/queue-depth answers as the page says', async () => {
    const bot = await TestAdapter.create({ config: example('queue-depth'), secrets: new MemorySecrets({ 'vault:ops/queues#token': 'q-token-1234' }) });
    try {
      expect(await bot.text('console:vic', '/queue-depth orders')).toBe('orders: 42 waiting');
      expect(await bot.text('console:vic', '/queue-depth payments')).toContain('queue must be one of: orders, emails');
    } finally {
      await bot.stop();
    }
  });

  it('/orders-today answers with the table the page shows', async () => {
    const bot = await TestAdapter.create({ config: example('orders-today') });
    try {
      const [r] = await bot.say('console:vic', '/orders-today shipped');
      expect(r!.text).toBe('/orders-today: 1 row');
      expect(r!.pre).toBe(['status   orders  total', '-------  ------  -------', 'shipped  2       9112.40'].join('\n'));
      // The argument's default when none is given.
      const [d] = await bot.say('console:vic', '/orders-today');
      expect(d!.pre).toBe(['status  orders  total', '------  ------  -----', 'paid    1       5.00'].join('\n'));
    } finally {
      await bot.stop();
    }
  });
});
