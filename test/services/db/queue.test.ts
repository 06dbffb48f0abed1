import { randomUUID } from 'node:crypto';
import { setImmediate as tick } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPool, Db, MysqlNotesRepository, statement } from '../../../src/services/db/index.js';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, type TestDatabase } from '../../helpers/mysql.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A Db on a one-connection pool, so a test can hold that connection and make statements queue. */
function oneConnection(timeoutMs: number, queueMs?: number): Db {
  const pool = createPool({ host: MYSQL_HOST, port: MYSQL_PORT, user: db.appUser, password: db.appPassword, database: db.name, timeoutMs, poolSize: 1 });
  return new Db(pool, timeoutMs, pino({ level: 'silent' }), queueMs);
}

function note(body: string) {
  return { invocationId: randomUUID(), authorKey: 'console:w', authorName: 'w', platform: 'test', room: 'C1', body };
}

async function storedFor(invocationId: string): Promise<number> {
  return (await db.sql('SELECT id FROM notes WHERE invocation_id = ?', [invocationId])).length;
}

describe('Db: the statement deadline measures MySQL, the queue has its own', () => {
  it('saves a note that waited in the queue longer than mysql.timeoutMs', async () => {
    const d = oneConnection(1000);
    const held = await d.pool.getConnection();
    const n = note('queued past the statement deadline');
    // Time is the subject: the add waits for the connection on a fake clock, moved well past timeoutMs.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const saving = new MysqlNotesRepository(d).add(n);
    await vi.advanceTimersByTimeAsync(2500);
    vi.useRealTimers();
    held.release();
    expect((await saving).id).toBeGreaterThan(0);
    expect(await storedFor(n.invocationId)).toBe(1);
    await d.end();
  });

  it('answers "busy, not saved" when no connection comes free within mysql.queueTimeoutMs, and never sends it later', async () => {
    const d = oneConnection(2000, 300);
    const held = await d.pool.getConnection();
    const n = note('never sent');
    await expect(new MysqlNotesRepository(d).add(n)).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/^note not saved: database busy .*nothing was sent/) });
    held.release();
    // The pool serves waiters in order: once a later add is through, the abandoned one has had its turn.
    const later = note('after the busy spell');
    await new MysqlNotesRepository(d).add(later);
    expect(await storedFor(later.invocationId)).toBe(1);
    expect(await storedFor(n.invocationId)).toBe(0);
    await d.end();
  });

  it('takes an answer that arrived while the event loop was busy past the deadline', async () => {
    const d = oneConnection(300);
    const one = statement('test.one', 'SELECT 1 AS one');
    await d.batch(one, []); // opens the connection
    const answer = d.batch(one, []);
    await tick(); // the statement is on the wire
    // A long synchronous stretch (a loaded process): MySQL answers meanwhile, then the timer is overdue.
    const until = Date.now() + 1000;
    while (Date.now() < until);
    await expect(answer).resolves.toBeDefined();
    await d.end();
  });
});
