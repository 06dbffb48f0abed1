import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Invocation } from '../../src/core/define-command.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, seedTasks, type TestDatabase } from '../helpers/mysql.js';
import { hostileString, runs } from '../helpers/fuzz-inputs.js';
import { TestAdapter, users } from '../helpers/test-adapter.js';

/**
 * Declared argument values into an http and a sql command, as a platform's structured options carry
 * them (no tokenizer between): whatever is accepted reaches the URL percent-encoded as one segment,
 * the JSON body as one string, and the query as one bound value; whatever is refused sends nothing.
 */
const seen: { url: string; body: string }[] = [];
let server: Server;
let db: TestDatabase;
let bot: TestAdapter;
const ro = `x${randomUUID().slice(0, 6)}`;
beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  db = await createTestDatabase({ tasks: 'classic', migrate: false });
  await seedTasks(db, { done: 1 });
  const user = `${db.name}_${ro}`;
  await db.admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'fuzzpw'`);
  await db.admin.query(`GRANT SELECT ON ${db.name}.tasks TO '${user}'@'%'`);
  const config: ConfigInput = {
    access: { users: users({ 'console:f': ['viewer'] }) },
    sources: { app: { url: `mysql://${user}:fuzzpw@${MYSQL_HOST}:${MYSQL_PORT}/${db.name}` } },
    commands: [
      { name: 'send', description: 'x', kind: 'http', method: 'POST', args: [{ name: 'v', type: 'string', pattern: '[\\s\\S]{1,200}' }], url: `${base}/s/{v}?q={v}`, body: '{"v":"{v}"}', roles: ['viewer'] },
      { name: 'echo', description: 'x', kind: 'sql', source: 'app', args: [{ name: 'v', type: 'string', pattern: '[\\s\\S]{1,200}' }], query: 'SELECT :v AS v, (SELECT COUNT(*) FROM tasks WHERE task_status = :v) AS n', roles: ['viewer'] },
    ],
  };
  bot = await TestAdapter.create({ config });
});
afterAll(async () => {
  await bot?.stop();
  server?.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await db.admin.query(`DROP USER IF EXISTS '${db.name}_${ro}'@'%'`);
  await db.drop();
});

function invocation(command: string, v: string): Invocation {
  return { id: randomUUID(), platform: 'test', principal: { key: 'console:f', name: 'f' }, room: 'C1', command, options: { values: { v } }, receivedAt: new Date() };
}

describe('fuzz: declared argument values', () => {
  it('reach an http request only escaped: one URL segment, one query value, one JSON string', async () => {
    await fc.assert(
      fc.asyncProperty(hostileString, async (v) => {
        seen.length = 0;
        const r = await bot.app.dispatcher.dispatch(invocation('send', v), bot.transport.starter({ key: 'console:f', name: 'f' }));
        if (r.code) {
          expect(seen).toEqual([]);
          return;
        }
        expect(seen).toHaveLength(1);
        const u = new URL(seen[0]!.url, 'http://x');
        expect(u.pathname.split('/')).toHaveLength(3);
        expect(decodeURIComponent(u.pathname.split('/')[2]!)).toBe(v);
        expect([...u.searchParams.keys()]).toEqual(['q']);
        expect(JSON.parse(seen[0]!.body)).toEqual({ v });
      }),
      { numRuns: runs(60) },
    );
  });

  it('reach a query only as a bound value: it comes back as it went in', async () => {
    await fc.assert(
      fc.asyncProperty(hostileString, async (v) => {
        const r = await bot.app.dispatcher.dispatch(invocation('echo', v), bot.transport.starter({ key: 'console:f', name: 'f' }));
        if (r.code) return;
        expect(r.text).toBe('/echo: 1 row');
        expect(r.pre).toContain(v === 'done' ? ' 1' : ' 0');
      }),
      { numRuns: runs(40) },
    );
  });
});
