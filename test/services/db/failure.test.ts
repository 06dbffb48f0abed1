import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, seedTasks, type TestDatabase } from '../../helpers/mysql.js';
import { ADMIN, startBot, VIEWER, WRITER, type Bot } from './harness.js';
import { TcpProxy } from './tcp-proxy.js';

let db: TestDatabase;
let proxy: TcpProxy;
let bot: Bot;

beforeAll(async () => {
  db = await createTestDatabase({ tasks: 'classic' });
  await seedTasks(db, { Success: 3, Failed: 1 });
  proxy = new TcpProxy(MYSQL_HOST, MYSQL_PORT);
  const port = await proxy.open();
  // Default mysql.timeoutMs (2000): the reply time asserted below is the out-of-the-box one.
  // On demand (refreshMs: 0): these cases time a statement per answer; background counts answer from a
  // snapshot read shared for a second (test/services/db/status-background.test.ts).
  bot = await startBot(db.appUrl(port), { status: { table: 'tasks', statusColumn: 'task_status', refreshMs: 0 } });
});
afterAll(async () => {
  await proxy?.open();
  await bot?.stop();
  await proxy?.close();
  await db?.drop();
});

async function timed(key: string, line: string) {
  const t0 = performance.now();
  const reply = await bot.say(key, line);
  return { reply, ms: performance.now() - t0 };
}

async function auditRows(): Promise<number> {
  const [r] = await db.sql<{ n: number }>('SELECT COUNT(*) AS n FROM audit_log');
  return Number(r?.n);
}

describe('MySQL unreachable', () => {
  it('replies "database unavailable" without waiting when the server is gone, keeps running, and recovers', async () => {
    expect((await bot.say(VIEWER, '/status')).text).toMatch(/^Tasks, all time: 4 total/);
    await bot.app.services.audit.flush();
    const rowsBefore = await auditRows();

    await proxy.close();
    for (const line of ['/status', '/note list', '/note add written while down', '/audit']) {
      const reply = await bot.say(line.includes('add') ? WRITER : line === '/audit' ? ADMIN : VIEWER, line);
      expect(reply.code, line).toBe('unavailable');
      // The refused connection is reported as such, not after waiting out the 2 s deadline (no clock needed).
      if (line === '/audit') expect(reply.text).toMatch(/^database unavailable/);
      else expect(reply.text, line).toBe(`${line.includes('add') ? 'note not saved: ' : ''}database unavailable (cannot reach MySQL); try again shortly`);
    }
    // Commands that do not need MySQL still work.
    expect((await bot.say(VIEWER, '/whoami')).text).toBe('You are viewer');

    await proxy.open();
    expect((await bot.say(VIEWER, '/status')).text).toMatch(/^Tasks, all time: 4 total/);
    expect((await bot.say(WRITER, '/note add back again')).text).toMatch(/^note #\d+ saved$/);
    // Seven invocations since rowsBefore; the audit rows of the outage were kept and written once MySQL came back.
    await bot.app.services.audit.flush();
    expect((await auditRows()) - rowsBefore).toBe(7);
    expect((await bot.say(ADMIN, '/audit 7')).text).toMatch(/\/note add allow\/error \(unavailable\)/);
  });

  it('gives up after mysql.timeoutMs when the network swallows packets, then recovers', async () => {
    expect((await bot.say(VIEWER, '/status')).text).toMatch(/4 total/);
    proxy.blackhole();
    let settled = 0;
    const pending = [timed(VIEWER, '/status'), timed(VIEWER, '/note list'), timed(VIEWER, '/note search x')].map((p) => p.finally(() => settled++));
    // A command that needs no MySQL answers while the others hang.
    expect((await bot.say(VIEWER, '/whoami')).text).toBe('You are viewer');
    expect(settled).toBe(0);
    for (const { reply, ms } of await Promise.all(pending)) {
      expect(reply.code).toBe('unavailable');
      // A statement on the open connection hears nothing; one that needs a new connection cannot open it.
      expect(reply.text).toMatch(/^database unavailable \((no answer within 2000 ms\)|cannot reach MySQL\); try again shortly)$/);
      // Timers never fire early, so the lower bound holds on any machine; the upper one only says "gave up".
      expect(ms).toBeGreaterThanOrEqual(1990);
      expect(ms).toBeLessThan(30_000);
    }

    await proxy.close();
    await proxy.open();
    expect((await bot.say(VIEWER, '/status')).text).toMatch(/^Tasks, all time: 4 total/);
  });
});
