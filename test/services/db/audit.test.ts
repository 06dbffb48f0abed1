import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../src/core/audit.js';
import { createPool, Db, MysqlAuditSink } from '../../../src/services/db/index.js';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, type TestDatabase } from '../../helpers/mysql.js';
import { captureLog } from '../../helpers/log-capture.js';
import { ADMIN, startBot, VIEWER, WRITER } from './harness.js';
import { TcpProxy } from './tcp-proxy.js';
import { until } from '../../helpers/until.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

interface Row {
  principal_key: string;
  command: string;
  decision: string;
  outcome: string;
  error_code: string | null;
  args_json: string;
  room: string;
  platform: string;
}

const rows = () => db.sql<Row>('SELECT * FROM audit_log ORDER BY id');

function record(i: number): AuditRecord {
  return {
    at: new Date(),
    invocationId: `inv-${i}`,
    principalKey: 'console:x',
    platform: 'test',
    room: 'C1',
    command: 'status',
    argsJson: '{"text":""}',
    decision: 'allow',
    outcome: 'ok',
    durationMs: 3,
  };
}

describe('audit_log', () => {
  it('gets exactly one row per invocation: allowed, denied, invalid, unknown and failed', async () => {
    await db.sql('DELETE FROM audit_log');
    const bot = await startBot(db.appUrl());
    await bot.say(WRITER, '/note add hello');
    await bot.say(VIEWER, '/note add not allowed');
    await bot.say(VIEWER, '/note list abc');
    await bot.say(VIEWER, '/nosuchcommand');
    await bot.say(VIEWER, '/status'); // no status section: a handled error
    await bot.say('console:stranger', '/whoami');
    await bot.stop();
    const got = (await rows()).map((r) => [r.principal_key, r.command, r.decision, r.outcome, r.error_code]);
    expect(got).toEqual([
      [WRITER, 'note add', 'allow', 'ok', null],
      [VIEWER, 'note add', 'deny', 'refused', 'denied'],
      [VIEWER, 'note list', 'invalid', 'refused', 'usage'],
      [VIEWER, 'nosuchcommand', 'unknown', 'refused', 'unknown_command'],
      [VIEWER, 'status', 'allow', 'error', 'not_configured'],
      ['console:stranger', 'whoami', 'deny', 'refused', 'denied'],
    ]);
    expect((await rows())[0]).toMatchObject({ platform: 'test', room: 'C1', args_json: `{"text":"add hello"}` });
  });

  it('stores a record before its write resolves; writes made meanwhile share one INSERT', async () => {
    await db.sql('DELETE FROM audit_log');
    const pool = createPool({ host: '127.0.0.1', port: 3306, user: db.appUser, password: db.appPassword, database: db.name, timeoutMs: 2000, poolSize: 2 });
    let inserts = 0;
    const counted = new (class extends Db {
      override batch(...a: Parameters<Db['batch']>) {
        inserts++;
        return super.batch(...a);
      }
    })(pool, 2000, pino({ level: 'silent' }));
    const sink = new MysqlAuditSink(counted, pino({ level: 'silent' }), { flushMs: 60_000 });
    await sink.write(record(0));
    expect(await rows()).toHaveLength(1);
    // 50 at once: each resolves only once its row is there, and they go in far fewer INSERTs than rows.
    const writes = Array.from({ length: 50 }, (_, i) => sink.write(record(i + 1)));
    let seen = 0;
    for (const [i, w] of writes.entries()) {
      await w;
      seen = Math.max(seen, (await db.sql('SELECT id FROM audit_log WHERE invocation_id = ?', [`inv-${i + 1}`])).length);
      expect(seen, `inv-${i + 1}`).toBe(1);
    }
    expect(sink.pending).toBe(0);
    expect(await rows()).toHaveLength(51);
    expect(inserts).toBeLessThan(10);
    await pool.end();
  });

  it('without durable writes, write only queues and a batch goes out later', async () => {
    await db.sql('DELETE FROM audit_log');
    const pool = createPool({ host: '127.0.0.1', port: 3306, user: db.appUser, password: db.appPassword, database: db.name, timeoutMs: 2000, poolSize: 2 });
    const sink = new MysqlAuditSink(new Db(pool, 2000, pino({ level: 'silent' })), pino({ level: 'silent' }), { flushMs: 60_000, durable: false });
    for (let i = 0; i < 5; i++) expect(sink.write(record(i))).toBeUndefined();
    expect(sink.pending).toBe(5);
    expect(await rows()).toHaveLength(0);
    await sink.flush();
    expect(sink.pending).toBe(0);
    expect(await rows()).toHaveLength(5);
    await pool.end();
  });

  it('with `changes` (the default of mysql.auditBeforeReply), only rows of changes and refusals are waited for', async () => {
    await db.sql('DELETE FROM audit_log');
    const pool = createPool({ host: '127.0.0.1', port: 3306, user: db.appUser, password: db.appPassword, database: db.name, timeoutMs: 2000, poolSize: 2 });
    const sink = new MysqlAuditSink(new Db(pool, 2000, pino({ level: 'silent' })), pino({ level: 'silent' }), { flushMs: 60_000, durable: 'changes' });
    // A read-only command's row only queues: the reply does not wait for it.
    expect(sink.write(record(0), false)).toBeUndefined();
    expect(await rows()).toHaveLength(0);
    // A change's row is stored before its write resolves, and the queued one goes with it.
    await sink.write(record(1), true);
    expect((await rows()).map((r) => r.command)).toHaveLength(2);
    expect(sink.pending).toBe(0);
    await pool.end();
  });

  it('loses nothing on a clean shutdown, even with hundreds of records queued', async () => {
    await db.sql('DELETE FROM audit_log');
    const bot = await startBot(db.appUrl());
    await Promise.all(Array.from({ length: 400 }, (_, i) => bot.say(i % 2 ? VIEWER : 'console:nobody', '/whoami')));
    await bot.stop();
    const all = await rows();
    expect(all).toHaveLength(400);
    expect(all.filter((r) => r.decision === 'deny')).toHaveLength(200);
  });

  it('/audit shows the newest rows to admins only', async () => {
    await db.sql('DELETE FROM audit_log');
    const bot = await startBot(db.appUrl());
    await bot.say(VIEWER, '/whoami');
    await bot.say(VIEWER, '/note list');
    const r = await bot.say(ADMIN, '/audit 5');
    const lines = r.text.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^just now console:viewer \/note list allow\/ok \d+ms$/);
    expect(lines[1]).toMatch(/^just now console:viewer \/whoami allow\/ok \d+ms$/);
    expect((await bot.say(VIEWER, '/audit')).code).toBe('denied');
    for (const n of ['0', '-1', '1e9', 'abc']) expect((await bot.say(ADMIN, `/audit ${n}`)).code, n).toBe('usage');
    await bot.stop();
  });

  it('puts what it cannot write into the log at shutdown, so nothing is lost while MySQL is down', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const pool = createPool({ host: '127.0.0.1', port: 1, user: 'nobody', password: '', database: 'none', timeoutMs: 300, poolSize: 1 });
    const dbLog = captureLog('warn');
    const sink = new MysqlAuditSink(new Db(pool, 300, dbLog.log), log, { flushMs: 10 });
    sink.write(record(1));
    sink.write(record(2));
    // After a write that failed (not before any was tried), both records are kept for a retry, not dropped.
    await dbLog.waitFor(/"statement":"audit.insertBatch".*"msg":"mysql statement failed"/);
    await until(() => sink.pending === 2, { what: 'both records back in the queue', timeoutMs: 10_000 });
    await sink.flush();
    expect(sink.pending).toBe(0);
    const spilled = lines.map((l) => JSON.parse(l) as { msg: string; audit?: { invocationId: string } }).filter((l) => l.audit);
    expect(spilled.map((l) => [l.msg, l.audit?.invocationId])).toEqual([
      ['audit not written to MySQL at shutdown', 'inv-1'],
      ['audit not written to MySQL at shutdown', 'inv-2'],
    ]);
    await pool.end();
  });

  it('writes a batch once when its INSERT ran but the answer was lost, then retries', async () => {
    const proxy = new TcpProxy(MYSQL_HOST, MYSQL_PORT);
    const port = await proxy.open();
    const pool = createPool({ host: '127.0.0.1', port, user: db.appUser, password: db.appPassword, database: db.name, timeoutMs: 1000, poolSize: 1 });
    const sink = new MysqlAuditSink(new Db(pool, 1000, pino({ level: 'silent' })), pino({ level: 'silent' }), { flushMs: 10 });
    sink.write(record(10));
    await sink.flush(); // the connection is open, so only answers are lost below
    proxy.dropAnswers();
    for (const i of [11, 12, 13]) sink.write(record(i));
    const stored = async () => (await db.sql("SELECT id FROM audit_log WHERE invocation_id IN ('inv-11', 'inv-12', 'inv-13')")).length;
    await until(async () => (await stored()) > 0);
    await proxy.open();
    await sink.flush();
    expect(sink.pending).toBe(0);
    expect(await stored()).toBe(3);
    await pool.end();
    await proxy.close();
  });
});
