import { pino } from 'pino';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, Db, statement } from '../../../src/services/db/index.js';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, type TestDatabase } from '../../helpers/mysql.js';
import { until } from '../../helpers/until.js';

const WHO = statement('test.who', 'SELECT CURRENT_USER() AS who');
// Reads notes, so it waits while the test holds a write lock on that table: a statement that runs until the test says.
const GATED_WHO = statement('test.gated-who', 'SELECT CURRENT_USER() AS who, (SELECT COUNT(*) FROM notes) AS n');

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => {
  await tdb?.drop();
});

const poolAs = (user: string, password: string) =>
  createPool({ host: MYSQL_HOST, port: MYSQL_PORT, user, password, database: tdb.name, timeoutMs: 3000, poolSize: 12 });
const who = async (db: Db, st = WHO) => (await db.rows<RowDataPacket>(st))[0]?.who as string;
/** Statements of `user` that MariaDB shows waiting for a table lock. */
const waiting = async (user: string) =>
  Number((await tdb.sql<{ n: number }>("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ? AND STATE LIKE 'Waiting for table%'", [user]))[0]?.n);

describe('Db pool swap', () => {
  it('sends new statements to the new pool at once and ends the old one only after its running statements finish', async () => {
    const oldPool = poolAs(tdb.appUser, tdb.appPassword);
    const db = new Db(oldPool, 15_000, pino({ level: 'silent' }));
    // Ten statements on the old pool that run, on the server, until the test lifts its lock.
    const lock = await tdb.admin.getConnection();
    let unlocked: Promise<void> | undefined;
    const unlock = () => (unlocked ??= lock.query('UNLOCK TABLES').then(() => lock.release()));
    try {
      await lock.query('LOCK TABLES notes WRITE');
      const running = Array.from({ length: 10 }, () => who(db, GATED_WHO));
      await until(async () => (await waiting(tdb.appUser)) === 10, { what: 'ten statements of the old pool waiting on the server' });
      let swapped = false;
      const swap = db.swap(poolAs('root', '')).then((n) => ((swapped = true), n));
      // The new pool serves at once, while the old statements are still running.
      expect(await who(db)).toMatch(/^root@/);
      expect(swapped).toBe(false);
      await unlock();
      expect(await Promise.all(running)).toEqual(Array(10).fill(`${tdb.appUser}@%`));
      expect(await swap).toBe(10);
    } finally {
      // A failure above must not leave the lock held, or dropping the database would wait for it.
      await unlock();
    }
    await expect(oldPool.getConnection()).rejects.toThrow(/closed/i);
    await db.end();
  });

  it('fails statements at once while suspended, and serves again after the next swap', async () => {
    const pool = poolAs(tdb.appUser, tdb.appPassword);
    const db = new Db(pool, 3000, pino({ level: 'silent' }));
    db.suspend('waiting for new credentials');
    // "At once" means without asking the pool for a connection (no clock: a loaded machine cannot break it).
    let asked = 0;
    const getConnection = pool.getConnection.bind(pool);
    pool.getConnection = () => (asked++, getConnection());
    await expect(who(db)).rejects.toMatchObject({ code: 'unavailable', message: 'database unavailable (waiting for new credentials)' });
    expect(asked).toBe(0);
    await db.swap(poolAs('root', ''));
    expect(await who(db)).toMatch(/^root@/);
    await db.end();
  });
});
