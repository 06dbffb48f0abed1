import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PoolConnection } from 'mysql2/promise';
import { pino } from 'pino';
import { replyToText } from '../../../src/core/reply.js';
import { UserError } from '../../../src/core/errors.js';
import { createPool, Db, MysqlStatusRefresher, MysqlStatusSnapshots, MysqlTasksRepository } from '../../../src/services/db/index.js';
import { createTestDatabase, seedTasks, MYSQL_HOST, MYSQL_PORT, type TestDatabase } from '../../helpers/mysql.js';
import { startBot, VIEWER, type Bot } from './harness.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBotChild } from '../../helpers/bot-child.js';

const silent = pino({ level: 'silent' });

/** The app user's statements the server is running now (not idle connections). */
async function running(db: TestDatabase): Promise<{ info: string; state: string }[]> {
  return db.sql("SELECT INFO AS info, STATE AS state FROM information_schema.PROCESSLIST WHERE USER = ? AND COMMAND <> 'Sleep'", [db.appUser]);
}

/** Polls until `check` holds: waiting for an event the server only shows this way, never a fixed sleep. */
async function until<T>(what: string, probe: () => Promise<T>, check: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await probe();
    if (check(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** The bot's user on this database, as a Db of its own (another replica, or a test's direct view). */
function appDb(db: TestDatabase): Db {
  const pool = createPool({ host: MYSQL_HOST, port: MYSQL_PORT, user: db.appUser, password: db.appPassword, database: db.name, timeoutMs: 5000, poolSize: 4 });
  return new Db(pool, 5000, silent);
}

describe('background counts across two replicas', () => {
  let db: TestDatabase;
  let lock: PoolConnection;
  const bots: Bot[] = [];
  beforeAll(async () => {
    db = await createTestDatabase({ tasks: 'classic' });
    await seedTasks(db, { Success: 3, Failed: 1 });
    // The table held by another session: the first count blocks until the test lets it go.
    lock = await db.admin.getConnection();
    await lock.query('LOCK TABLES tasks WRITE');
  });
  afterAll(async () => {
    await lock?.query('UNLOCK TABLES').catch(() => undefined);
    lock?.release();
    for (const b of bots) await b.stop();
    await db?.drop();
  });

  it('counts once for both, says "counting…" on a cold start and posts the counts when the count ends', async () => {
    const status = { table: 'tasks', statusColumn: 'task_status', statuses: ['Success', 'Failed'], refreshMs: 600_000 };
    bots.push(await startBot(db.appUrl(), { status }), await startBot(db.appUrl(), { status }));
    // Both replicas started their refresh; one holds the window's lock and waits for the table.
    const counting = await until('the first count to wait for the table', () => running(db), (r) => r.some((p) => /GROUP BY/.test(p.info ?? '')));
    const [a, b] = await Promise.all(bots.map((bot) => bot.say(VIEWER, '/status')));
    for (const r of [a!, b!]) {
      expect(r.text).toBe('Tasks, all time: counting… (the first count since start; the numbers follow here)');
      expect(r.later).toBeDefined();
    }
    // The other replica's count never started: one GROUP BY on the server, however long it waits.
    expect((await running(db)).filter((p) => /GROUP BY/.test(p.info ?? ''))).toHaveLength(1);
    expect(counting.filter((p) => /GROUP BY/.test(p.info ?? ''))).toHaveLength(1);
    await lock.query('UNLOCK TABLES');
    const [la, lb] = await Promise.all([a!.later!, b!.later!]);
    for (const r of [la!, lb!]) {
      const [head, ...rest] = replyToText(r).split('\n');
      expect(head).toMatch(/^Tasks, all time: 4 total, 75% done, as of (just now|\d+ s ago)$/);
      expect(rest).toEqual([`${'█'.repeat(15)}${'░'.repeat(5)} 75%`, 'Success  3', 'Failed   1', 'Total    4']);
    }
    // Each invocation's one audit row waited for its final answer.
    for (const bot of bots) await bot.app.services.audit.flush();
    const audit = await db.sql<{ outcome: string; n: number }>("SELECT outcome, COUNT(*) AS n FROM audit_log WHERE command = 'status' GROUP BY outcome");
    expect(audit.map((r) => [r.outcome, Number(r.n)])).toEqual([['ok', 2]]);
    // One snapshot for both replicas, with its counts per status.
    const snaps = await db.sql<{ app: string; win: string; n: number }>('SELECT app, win, COUNT(*) AS n FROM status_snapshots GROUP BY app, win');
    expect(snaps).toEqual([{ app: 'tasks', win: 'all', n: 1 }]);
    const counts = await db.sql<{ status: string; n: number }>('SELECT status, n FROM status_snapshot_counts ORDER BY status');
    expect(counts.map((c) => [c.status, Number(c.n)])).toEqual([['Failed', 1], ['Success', 3]]);
  });

  it('answers from the stored counts, and says how old they are', async () => {
    await seedTasks(db, { Failed: 5 });
    // A third replica (the other two may share a read of a second ago): it finds the counts fresh and counts nothing.
    const third = await startBot(db.appUrl(), { status: { table: 'tasks', statusColumn: 'task_status', statuses: ['Success', 'Failed'], refreshMs: 600_000 } });
    bots.push(third);
    // As if the counts had been taken 42 s ago: the answer reads them, never the table.
    await db.sql('UPDATE status_snapshots SET at = UTC_TIMESTAMP(3) - INTERVAL 42 SECOND');
    const r = await third.say(VIEWER, '/status all');
    expect(r.later).toBeUndefined();
    expect(r.text).toMatch(/^Tasks, all time: 4 total, 75% done, as of 4[2-9] s ago$/);
    expect(await db.sql('SELECT id FROM status_snapshots')).toHaveLength(1);
  });
});

describe('background counts across two processes', () => {
  it('an `opsline start` process counts; the other replica waits for its count instead of counting too', async () => {
    const db = await createTestDatabase({ tasks: 'classic' });
    const dir = await mkdtemp(join(tmpdir(), 'opsline-status-'));
    const lock = await db.admin.getConnection();
    const status = { table: 'tasks', statusColumn: 'task_status', refreshMs: 600_000 };
    let bot: Bot | undefined;
    try {
      await seedTasks(db, { Success: 2 });
      await lock.query('LOCK TABLES tasks WRITE');
      const configPath = join(dir, 'bot.yaml');
      await writeFile(configPath, JSON.stringify({ log: { level: 'info' }, http: { port: 0, host: '127.0.0.1' }, mysql: { url: db.appUrl() }, status, access: { users: [] } }));
      const child = await startBotChild(configPath);
      try {
        await until('the child to count', () => running(db), (r) => r.some((p) => /GROUP BY/.test(p.info ?? '')));
        bot = await startBot(db.appUrl(), { status });
        const r = await bot.say(VIEWER, '/status');
        expect(r.text).toMatch(/counting…/);
        expect((await running(db)).filter((p) => /GROUP BY/.test(p.info ?? ''))).toHaveLength(1);
        await lock.query('UNLOCK TABLES');
        expect((await r.later!).text).toMatch(/^Tasks, all time: 2 total, 100% done, as of /);
        expect(await db.sql('SELECT id FROM status_snapshots')).toHaveLength(1);
      } finally {
        expect((await child.stop()).code).toBe(0);
      }
    } finally {
      await lock.query('UNLOCK TABLES').catch(() => undefined);
      lock.release();
      await bot?.stop();
      await rm(dir, { recursive: true, force: true });
      await db.drop();
    }
  }, 60_000);
});

describe('a refresh past its own time limit', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ tasks: 'classic' });
    // A table big enough that its GROUP BY takes far longer than the limit (MariaDB's Sequence engine).
    await db.sql("INSERT INTO tasks (task_title, task_status) SELECT 't', ELT(1 + seq % 3, 'Success', 'Pending', 'Failed') FROM seq_1_to_1000000");
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
  });

  it('is stopped by the server, and nothing of it keeps running', async () => {
    const appdb = appDb(db);
    try {
      const tasks = new MysqlTasksRepository(appdb, { table: 'tasks', statusColumn: 'task_status' });
      const snapshots = new MysqlStatusSnapshots(appdb, 'tasks');
      const refresher = new MysqlStatusRefresher(appdb, tasks, snapshots);
      expect(await refresher.flavour()).toBe('mariadb');
      const err = await refresher.refresh('all', undefined, { freshMs: 0, timeLimitMs: 20, retentionMs: 86_400_000 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).code).toBe('timeout');
      expect((err as UserError).message).toBe('the count took longer than 20 ms (status.refreshTimeoutMs); the server stopped it');
      // MariaDB's own error (max_statement_time), well before the client's deadline (the limit + 5 s).
      expect(((err as UserError).cause as { errno?: number }).errno).toBe(1969);
      // The lock's release is the session's last statement: the server may still show it sending its answer
      // ("Writing to net") just after the client has it. Nothing else of the refresh may be there.
      const left = (await running(db)).filter((p) => !(p.state === 'Writing to net' && String(p.info).includes('RELEASE_LOCK')));
      expect(left).toEqual([]);
      expect(await db.sql('SELECT id FROM status_snapshots')).toEqual([]);
      // The lock went with the count: the next refresh takes it (and fails the same way, not as busy).
      await expect(refresher.refresh('all', undefined, { freshMs: 0, timeLimitMs: 20, retentionMs: 86_400_000 })).rejects.toThrow(/took longer/);
    } finally {
      await appdb.end();
    }
  });

  it('/status on a cold start says the count took too long', async () => {
    const bot = await startBot(db.appUrl(), { status: { table: 'tasks', statusColumn: 'task_status', refreshMs: 600_000, refreshTimeoutMs: 20 } });
    try {
      let r = await bot.say(VIEWER, '/status');
      if (r.later) r = await r.later;
      expect(r.code).toBe('timeout');
      expect(r.text).toMatch(/the count took longer than 20 ms \(status\.refreshTimeoutMs\)/);
      expect(await running(db)).toEqual([]);
    } finally {
      await bot.stop();
    }
  });
});

describe('a stop while a count runs', () => {
  it('kills the count on the server: nothing of it runs on after the bot stopped', async () => {
    const db = await createTestDatabase({ tasks: 'classic' });
    const lock = await db.admin.getConnection();
    try {
      await lock.query('LOCK TABLES tasks WRITE');
      const bot = await startBot(db.appUrl(), { status: { table: 'tasks', statusColumn: 'task_status', refreshMs: 600_000 } });
      await until('the count to wait for the table', () => running(db), (r) => r.some((p) => /GROUP BY/.test(p.info ?? '')));
      await bot.stop();
      await until('the count to be gone', () => running(db), (r) => r.length === 0);
      expect(await running(db)).toEqual([]);
    } finally {
      await lock.query('UNLOCK TABLES');
      lock.release();
      await db.drop();
    }
  });
});

describe('status snapshots', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ tasks: 'timed' });
    await seedTasks(db, { Success: 2, Pending: 1 }, new Date());
    await seedTasks(db, { Failed: 4 }, new Date(Date.now() - 3 * 86_400_000));
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('are written per window and status, read back as a series, skipped while fresh and pruned past retention', async () => {
    const appdb = appDb(db);
    try {
      const tasks = new MysqlTasksRepository(appdb, { table: 'tasks', statusColumn: 'task_status', timeColumn: 'created_at' });
      const snapshots = new MysqlStatusSnapshots(appdb, 'flaskr');
      const refresher = new MysqlStatusRefresher(appdb, tasks, snapshots);
      const opts = { freshMs: 60_000, timeLimitMs: 10_000, retentionMs: 30 * 86_400_000 };
      // An old snapshot, past retention: the next refresh of the app removes it.
      await db.sql("INSERT INTO status_snapshots (app, win, at, took_ms) VALUES ('flaskr', '7d', UTC_TIMESTAMP(3) - INTERVAL 31 DAY, 5)");
      await db.sql('INSERT INTO status_snapshot_counts (snapshot_id, status, n) VALUES (LAST_INSERT_ID(), ?, 9)', ['Success']);
      const week = await refresher.refresh('7d', new Date(Date.now() - 7 * 86_400_000), opts);
      expect(week.kind).toBe('refreshed');
      expect(await refresher.refresh('today', new Date(Date.now() - 3600_000), opts)).toMatchObject({ kind: 'refreshed' });
      // Fresh: another refresh of the same window within freshMs counts nothing.
      expect(await refresher.refresh('7d', new Date(Date.now() - 7 * 86_400_000), opts)).toEqual({ kind: 'fresh' });
      const latest = await snapshots.latest('7d');
      expect(latest?.counts.map((c) => [c.status, c.count]).sort()).toEqual([['Failed', 4], ['Pending', 1], ['Success', 2]]);
      expect(latest?.ageMs).toBeLessThan(60_000);
      const series = await snapshots.series('7d', new Date(Date.now() - 40 * 86_400_000));
      expect(series).toHaveLength(1);
      expect(series[0]?.counts).toHaveLength(3);
      expect((await snapshots.series('today', new Date(0)))[0]?.counts.map((c) => [c.status, c.count]).sort()).toEqual([['Pending', 1], ['Success', 2]]);
      const rows = await db.sql<{ app: string; win: string }>('SELECT app, win FROM status_snapshots ORDER BY win');
      expect(rows).toEqual([{ app: 'flaskr', win: '7d' }, { app: 'flaskr', win: 'today' }]);
      expect(await db.sql('SELECT * FROM status_snapshot_counts WHERE n = 9')).toEqual([]);
    } finally {
      await appdb.end();
    }
  });
});
