import { pino } from 'pino';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, Db, statement } from '../../../src/services/db/index.js';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, type TestDatabase } from '../../helpers/mysql.js';

const WHO = statement('test.who', 'SELECT CURRENT_USER() AS who, SLEEP(?) AS slept');

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => {
  await tdb?.drop();
});

const poolAs = (user: string, password: string) =>
  createPool({ host: MYSQL_HOST, port: MYSQL_PORT, user, password, database: tdb.name, timeoutMs: 3000, poolSize: 12 });
const who = async (db: Db, sleep = 0) => (await db.rows<RowDataPacket>(WHO, [sleep]))[0]?.who as string;

describe('Db pool swap', () => {
  it('sends new statements to the new pool at once and ends the old one only after its running statements finish', async () => {
    const oldPool = poolAs(tdb.appUser, tdb.appPassword);
    const db = new Db(oldPool, 15_000, pino({ level: 'silent' }));
    // The old statements sleep far longer than one statement on the new pool takes, even on a loaded machine.
    const running = Array.from({ length: 10 }, () => who(db, 2));
    await new Promise((r) => setTimeout(r, 100));
    let swapped = false;
    const swap = db.swap(poolAs('root', '')).then((n) => ((swapped = true), n));
    // The new pool serves at once, while the old statements are still sleeping.
    expect(await who(db)).toMatch(/^root@/);
    expect(swapped).toBe(false);
    expect(await Promise.all(running)).toEqual(Array(10).fill(`${tdb.appUser}@%`));
    expect(await swap).toBe(10);
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
