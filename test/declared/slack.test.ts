import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBurnQueue } from '../../src/services/queue/memory.js';
import { agentFixture, type AgentFixture } from '../helpers/agent-fixture.js';
import { createTestDatabase, readOnlyUser, seedTasks, type ReadOnlyUser, type TestDatabase } from '../helpers/mysql.js';
import { startSlackBot, type SlackBot } from '../helpers/slack-bot.js';
import type { PostResult } from '../helpers/slack-request.js';

/**
 * A declared http, sql and run command each from Slack: signed slash commands into the real endpoint,
 * answers through the ack or response_url into the Slack Web API double; a local HTTP service, MariaDB
 * with a SELECT-only user, a real agent over CURVE.
 */
let bot: SlackBot;
let service: Server;
let db: TestDatabase;
let f: AgentFixture;
let ro: ReadOnlyUser;
beforeAll(async () => {
  service = createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ depth: req.url === '/q/orders' ? 42 : 0 })));
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
  db = await createTestDatabase({ tasks: 'classic', migrate: false });
  await seedTasks(db, { Success: 3, Failed: 1 });
  ro = await readOnlyUser(db, 'tasks');
  f = await agentFixture([]);
  const script = join(f.root, 'uptime.mjs');
  await writeFile(script, "console.log(' 12:00:00 up 3 days,  load average: 0.00');\n");
  await f.start({ commands: { uptime: { argv: [process.execPath, script], refPattern: '^x$', timeoutSec: 10 } } });
  bot = await startSlackBot({
    sources: { shop: { url: ro.url } },
    commands: [
      { name: 'queue-depth', description: 'Depth of a work queue', kind: 'http', args: [{ name: 'queue', type: 'enum', values: ['orders', 'emails'] }], url: `${base}/q/{queue}`, reply: '{queue}: {body.depth} waiting', roles: ['viewer'] },
      { name: 'orders-by-status', description: 'Orders in one status', kind: 'sql', source: 'shop', args: [{ name: 'status', type: 'string', pattern: '[A-Za-z]{1,20}' }], query: 'SELECT task_status AS status, COUNT(*) AS n FROM tasks WHERE task_status = :status GROUP BY task_status', roles: ['viewer'] },
      { name: 'uptime', description: 'How long a host has been up', kind: 'run', agent: 'a1', run: 'uptime', quick: true, roles: ['viewer'] },
    ],
    burns: { devices: f.client(), queue: new MemoryBurnQueue() },
  });
});
afterAll(async () => {
  await bot?.stop();
  await f?.cleanup();
  await new Promise<void>((resolve) => service.close(() => resolve()));
  await ro?.drop();
  await db.drop();
});

const VIEWER = { user_id: 'UVIEW', user_name: 'victor' };

/** The answer: in the ack, or (when it took longer) the last message posted to the command's response_url. */
async function answer(r: PostResult, placeholder?: RegExp): Promise<string> {
  const text = String(r.json?.text ?? '');
  if (!placeholder?.test(text)) return text;
  const posted = await bot.slack.waitFor(() => bot.slack.callsOf('response_url').map((c) => String(c.body.text ?? '')).find((t) => !placeholder.test(t) && t.startsWith('/uptime')));
  return posted;
}

describe('declared commands from Slack', () => {
  it('http: /queue-depth answers with the rendered reply', async () => {
    const r = await bot.command('/queue-depth orders', VIEWER);
    expect(r.status).toBe(200);
    expect(await answer(r)).toBe('orders: 42 waiting');
  });

  it('sql: /orders-by-status answers with a table from the SELECT-only source', async () => {
    const r = await bot.command('/orders-by-status Success', VIEWER);
    const text = await answer(r);
    expect(text).toMatch(/^\/orders-by-status: 1 row/);
    expect(text).toMatch(/Success\s+\|?\s*3/);
  });

  it('run: /uptime answers in place from the agent', async () => {
    const r = await bot.command('/uptime', VIEWER);
    const text = await answer(r, /running on a1/);
    expect(text).toMatch(/^\/uptime on a1: ✔/);
    expect(text).toContain('up 3 days');
  });

  it('a bad value gets a short reply naming the argument, and nothing is asked', async () => {
    const r = await bot.command('/queue-depth payments', VIEWER);
    expect(r.json?.text).toMatch(/queue must be one of: orders, emails/);
  });
});
