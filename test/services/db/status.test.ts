import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, buildConfig } from '../../../src/config/load.js';
import { createTestDatabase, seedTasks, type TestDatabase } from '../../helpers/mysql.js';
import { startBot, VIEWER, type Bot } from './harness.js';
import { replyToText } from '../../../src/core/reply.js';

const STATUSES = ['Success', 'Pending', 'Failed', 'Cancelled'];

/** SELECTs the server has run for a user; per user, so parallel test files do not disturb it. */
async function selectsBy(db: TestDatabase): Promise<number> {
  const [row] = await db.sql<{ n: number }>('SELECT SELECT_COMMANDS AS n FROM information_schema.USER_STATISTICS WHERE USER = ?', [db.appUser]);
  return Number(row?.n ?? 0);
}

// On demand (`status.refreshMs: 0`): a GROUP BY per answer, as before background counts (issue 28).
describe('/status on demand, on the classic table without a time column', () => {
  let db: TestDatabase;
  let bot: Bot;
  beforeAll(async () => {
    db = await createTestDatabase({ tasks: 'classic' });
    // Per-user statement counters prove single-flight on the server side; they cost nothing when unused.
    await db.sql('SET GLOBAL userstat = 1');
    await seedTasks(db, { Success: 5, Pending: 3, Failed: 2, Weird: 1 });
    bot = await startBot(db.appUrl(), { status: { table: `${db.name}.tasks`, statusColumn: 'task_status', statuses: STATUSES, refreshMs: 0 } });
  });
  afterAll(async () => {
    await bot?.stop();
    await db?.drop();
  });

  it('counts by status in the configured order, shows zeros and unknown statuses, the total, % done and a bar', async () => {
    const r = await bot.say(VIEWER, '/status');
    expect(r.code).toBeUndefined();
    expect(replyToText(r).split('\n')).toEqual([
      'Tasks, all time: 11 total, 45% done',
      `${'█'.repeat(9)}${'░'.repeat(11)} 45%`,
      'Success     5',
      'Pending     3',
      'Failed      2',
      'Cancelled   0',
      'Weird       1',
      'Total      11',
    ]);
    expect(replyToText(await bot.say(VIEWER, '/status all'))).toBe(replyToText(r));
  });

  it('refuses other windows with a clear message', async () => {
    for (const w of ['today', '24h', '7d']) {
      const r = await bot.say(VIEWER, `/status ${w}`);
      expect(r.code).toBe('bad_input');
      expect(r.text).toBe(`the task table has no time column, so only /status all works (not ${w})`);
    }
    expect((await bot.say(VIEWER, "/status all'; DROP TABLE tasks; --")).code).toBe('usage');
    expect((await db.sql('SELECT 1 FROM tasks LIMIT 1')).length).toBe(1);
  });

  it('runs one GROUP BY for many concurrent identical requests (single-flight)', async () => {
    const before = await selectsBy(db);
    const replies = await Promise.all(Array.from({ length: 25 }, () => bot.say(VIEWER, '/status all')));
    expect(new Set(replies.map((r) => replyToText(r))).size).toBe(1);
    expect(replies[0]?.text).toMatch(/11 total/);
    expect((await selectsBy(db)) - before).toBe(1);
    // Without a cache, the next request asks again and sees new rows.
    await seedTasks(db, { Success: 1 });
    expect((await bot.say(VIEWER, '/status all')).text).toMatch(/^Tasks, all time: 12 total, 50% done/);
    expect((await selectsBy(db)) - before).toBe(2);
  });

  it('serves from the cache for status.cacheMs', async () => {
    const cached = await startBot(db.appUrl(), { status: { table: `${db.name}.tasks`, statusColumn: 'task_status', refreshMs: 0, cacheMs: 60_000 } });
    try {
      const first = await cached.say(VIEWER, '/status');
      expect(first.text).toMatch(/^Tasks, all time: 12 total/);
      const before = await selectsBy(db);
      await seedTasks(db, { Failed: 1 });
      expect(replyToText(await cached.say(VIEWER, '/status'))).toBe(replyToText(first));
      expect(await selectsBy(db)).toBe(before);
    } finally {
      await cached.stop();
    }
  });
});

describe('/status with a time column', () => {
  let db: TestDatabase;
  let bot: Bot;
  beforeAll(async () => {
    db = await createTestDatabase({ tasks: 'timed' });
    const now = Date.now();
    // "now", not a minute ago, so that "today" holds these rows even just after midnight.
    await seedTasks(db, { Success: 4 }, new Date(now));
    await seedTasks(db, { Failed: 2 }, new Date(now - 2 * 86_400_000));
    await seedTasks(db, { Pending: 3 }, new Date(now - 10 * 86_400_000));
    bot = await startBot(db.appUrl(), { status: { table: 'tasks', statusColumn: 'task_status', timeColumn: 'created_at' } });
  });
  afterAll(async () => {
    await bot?.stop();
    await db?.drop();
  });

  it('filters by window and names it; the default is today', async () => {
    // Background counts (the default) say how old they are.
    const asOf = ', as of (just now|\\d+ s ago)\\n';
    expect(replyToText(await bot.say(VIEWER, '/status'))).toMatch(new RegExp(`^Tasks, today: 4 total, 100% done${asOf}`));
    expect(replyToText(await bot.say(VIEWER, '/status 24h'))).toMatch(new RegExp(`^Tasks, last 24 hours: 4 total, 100% done${asOf}`));
    const week = await bot.say(VIEWER, '/status 7d');
    expect(replyToText(week)).toMatch(new RegExp(`^Tasks, last 7 days: 6 total, 67% done${asOf}`));
    expect(replyToText(week)).toMatch(/\nFailed\s+2\n/);
    expect(replyToText(await bot.say(VIEWER, '/status all'))).toMatch(new RegExp(`^Tasks, all time: 9 total, 44% done${asOf}`));
  });
});

describe('/status with a table that is not there', () => {
  it('says the setup is wrong rather than failing obscurely', async () => {
    const db = await createTestDatabase();
    const bot = await startBot(db.appUrl(), { status: { table: 'missing_tasks', statusColumn: 'task_status', refreshMs: 0 } });
    try {
      const r = await bot.say(VIEWER, '/status');
      expect(r.code).toBe('not_configured');
      expect(r.text).toMatch(/^database setup problem \(ER_TABLEACCESS_DENIED_ERROR\)/);
    } finally {
      await bot.stop();
      await db.drop();
    }
  });
});

describe('status identifiers', () => {
  it.each([
    ['table', 'tasks; DROP TABLE notes'],
    ['table', 'a.b.c'],
    ['table', 'tasks`'],
    ['statusColumn', 'task_status) OR (1'],
    ['timeColumn', 'created at'],
    ['statusColumn', '1abc'],
  ])('refuses %s = %j when the config loads', (key, value) => {
    const status = { table: 'flasktest.tasks', statusColumn: 'task_status', [key]: value };
    expect(() => buildConfig({ mysql: { url: 'mysql://u@127.0.0.1/db' }, status })).toThrow(ConfigError);
    try {
      buildConfig({ mysql: { url: 'mysql://u@127.0.0.1/db' }, status });
    } catch (err) {
      expect((err as ConfigError).issues.join('\n')).toContain(`status.${key}:`);
    }
  });
});
