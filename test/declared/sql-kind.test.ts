import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, seedTasks, type TestDatabase } from '../helpers/mysql.js';
import { TestAdapter, users } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';

/** The monitored app's database, a SELECT-only user for the source, and one that may also INSERT. */
let db: TestDatabase;
let ro: { user: string; url: string };
let rw: { user: string; url: string };
beforeAll(async () => {
  db = await createTestDatabase({ tasks: 'classic', migrate: false });
  await seedTasks(db, { done: 3, failed: 2, queued: 1 });
  const make = async (suffix: string, grants: string) => {
    const user = `${db.name}_${suffix}`;
    const password = randomBytes(12).toString('hex');
    await db.admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
    await db.admin.query(`GRANT ${grants} ON ${db.name}.tasks TO '${user}'@'%'`);
    return { user, url: `mysql://${user}:${password}@${MYSQL_HOST}:${MYSQL_PORT}/${db.name}` };
  };
  ro = await make('ro', 'SELECT');
  rw = await make('rw', 'SELECT, INSERT');
});
afterAll(async () => {
  await db.admin.query(`DROP USER IF EXISTS '${ro.user}'@'%'`);
  await db.admin.query(`DROP USER IF EXISTS '${rw.user}'@'%'`);
  await db.drop();
});

let bot: TestAdapter | undefined;
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
});

const VIEWER = 'console:vic';

function config(): ConfigInput {
  return {
    access: { users: users({ [VIEWER]: ['viewer'] }) },
    sources: { 'app-readonly': { url: ro.url }, 'app-writable': { url: rw.url } },
    commands: [
      {
        name: 'orders-by-status',
        description: 'Orders in one status',
        kind: 'sql',
        source: 'app-readonly',
        args: [{ name: 'status', type: 'string', pattern: '[A-Za-z]{1,20}' }],
        query: 'SELECT task_status AS status, COUNT(*) AS n FROM tasks WHERE task_status = :status GROUP BY task_status',
        roles: ['viewer'],
      },
      {
        name: 'orders-like',
        description: 'A permissive pattern: the value is still a bound parameter',
        kind: 'sql',
        source: 'app-readonly',
        args: [{ name: 'title', type: 'string', pattern: "[A-Za-z0-9' =-]{1,60}" }],
        query: 'SELECT task_title FROM tasks WHERE task_title = :title',
        roles: ['viewer'],
      },
      {
        name: 'all-tasks',
        description: 'Every task, capped',
        kind: 'sql',
        source: 'app-readonly',
        query: 'SELECT task_id, task_title, task_status FROM tasks ORDER BY task_id',
        maxRows: 4,
        roles: ['viewer'],
      },
      {
        name: 'slow',
        description: 'Passes its time limit',
        kind: 'sql',
        source: 'app-readonly',
        args: [{ name: 'secs', type: 'integer', min: 1, max: 60 }],
        query: 'SELECT SLEEP(:secs) AS slept FROM tasks LIMIT 1',
        timeoutMs: 300,
        roles: ['viewer'],
      },
      {
        name: 'writable',
        description: 'On a source whose user may INSERT',
        kind: 'sql',
        source: 'app-writable',
        query: 'SELECT COUNT(*) AS n FROM tasks',
        roles: ['viewer'],
      },
    ],
  };
}

/** Queries the source's users are running now, seen by root. */
async function running(user: string): Promise<unknown[]> {
  return db.sql(`SELECT id, info FROM information_schema.PROCESSLIST WHERE user = ? AND command = 'Query'`, [user]);
}
async function connections(user: string): Promise<unknown[]> {
  return db.sql(`SELECT id FROM information_schema.PROCESSLIST WHERE user = ?`, [user]);
}

describe('a declared sql command', () => {
  it('binds the argument as a parameter and answers with a table', async () => {
    bot = await TestAdapter.create({ config: config() });
    const [r] = await bot.say(VIEWER, '/orders-by-status done');
    expect(r!.text).toBe('/orders-by-status: 1 row');
    expect(r!.pre).toMatch(/^status\s+n\n-+\s+-+\ndone\s+3$/);
    expect(bot.audit.records.map((x) => [x.command, x.outcome])).toEqual([['orders-by-status', 'ok']]);
  });

  it('sends a SQL fragment as data: it matches nothing', async () => {
    bot = await TestAdapter.create({ config: config() });
    expect(await bot.text(VIEWER, `/orders-like "x' OR '1'='1"`)).toBe('/orders-like: no rows');
  });

  it('caps the rows and says so', async () => {
    bot = await TestAdapter.create({ config: config() });
    const [r] = await bot.say(VIEWER, '/all-tasks');
    expect(r!.text).toBe('/all-tasks: 4 rows (more not shown; at most 4)');
    expect(r!.pre!.split('\n')).toHaveLength(6);
  });

  it('refuses a value that fails its pattern before any connection to the source', async () => {
    bot = await TestAdapter.create({ config: config() });
    for (const bad of ["\"done' OR 1=1 --\"", '-rf', '../etc', 'constructor1']) {
      const [r] = await bot.say(VIEWER, `/orders-by-status ${bad}`);
      expect(r!.text).toContain('status must match');
    }
    expect(bot.audit.records).toHaveLength(4);
    expect(await connections(ro.user)).toEqual([]);
  });

  it('is stopped on the server when it passes its time limit', async () => {
    bot = await TestAdapter.create({ config: config() });
    const [r] = await bot.say(VIEWER, '/slow 30');
    expect(r!.code).toBe('timeout');
    expect(r!.text).toContain('passed its time limit');
    await until(async () => (await running(ro.user)).length === 0);
    expect(await running(ro.user)).toEqual([]);
  });

  it('refuses to run on a source whose user can do more than SELECT', async () => {
    bot = await TestAdapter.create({ config: config() });
    const [r] = await bot.say(VIEWER, '/writable');
    expect(r!.code).toBe('not_configured');
    expect(r!.text).toContain('not read-only');
    expect(r!.text).toContain('INSERT');
  });
});
