import { afterEach, describe, expect, it } from 'vitest';
import type { PoolConnection } from 'mysql2/promise';
import type { Reply } from '../../src/core/reply.js';
import { startOwnMariadb, type OwnMariadb } from '../helpers/mariadb-server.js';
import { createTestDatabase, seedTasks, type TestDatabase } from '../helpers/mysql.js';
import { expectNoteTruth } from '../helpers/note-truth.js';
import { startNotesBot } from '../helpers/notes-bot.js';
import { until } from '../helpers/until.js';
import { startBot, VIEWER } from '../services/db/harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** A MariaDB of the test's own (not the shared one on 3306), with a fresh database on it. */
async function ownWorld(tasks?: 'classic'): Promise<{ server: OwnMariadb; db: TestDatabase }> {
  const server = await startOwnMariadb();
  cleanups.push(() => server.stop());
  const db = await createTestDatabase({ port: server.port, ...(tasks ? { tasks } : {}) });
  // The database goes with the server's temp dir; only the root pool needs closing.
  cleanups.push(() => db.admin.end());
  return { server, db };
}

/**
 * Issue 28 item 6: the MySQL server itself restarts (test/faults/mysql-notes.test.ts cuts connections
 * through a proxy instead). A restart ends every connection and every statement under way; while it is
 * down, nothing listens. Callers are told the truth (saved, or a specific error), nothing is stored
 * twice, every invocation keeps its one audit row, and the background counts come back by themselves.
 */
describe('fault: the MySQL server restarts', () => {
  it('during 300 concurrent /note add: every note stored at most once, every caller told the truth', async () => {
    const { server, db } = await ownWorld();
    const bot = await startNotesBot(db, db.appUrl(), 50);
    cleanups.push(() => bot.stop());
    const N = 300;
    // 20 callers at a time; the server goes down after 60 answers and stays down until a caller has been
    // told (the pool's wait for a connection ran out), then comes back while the rest are still asking.
    const replies: Reply[] = new Array<Reply>(N);
    let next = 0;
    let answered = 0;
    let refusedYet = false;
    let restarted: Promise<void> | undefined;
    const lane = async () => {
      while (next < N) {
        const i = next++;
        const r = await bot.say(bot.writers[i % 50]!, `/note add fault note ${i}`);
        replies[i] = r;
        if (r.code) refusedYet = true;
        if (++answered === 60) restarted = server.down().then(() => until(() => refusedYet, { what: 'a caller told the database is unavailable' })).then(() => server.up());
      }
    };
    await Promise.all(Array.from({ length: 20 }, lane));
    await restarted;
    const saved = await expectNoteTruth(db, bot, replies);
    const refused = replies.filter((r) => r.code);
    process.stderr.write(`mysql restart: ${saved} of ${N} notes saved, ${refused.length} refused\n`);
    // The restart landed under load: some callers were told it failed, each with a specific error.
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect([r.code, r.text]).toEqual(['unavailable', expect.stringMatching(/database unavailable/)]);
    // And once it is back, notes are saved again.
    expect((await bot.say(bot.writers[0]!, '/note add after the restart')).text).toMatch(/^note #\d+ saved$/);
  }, 90_000);

  it('during a /status background refresh: the answer while down says the database is unavailable, and the refresh recovers by itself', async () => {
    const { server, db } = await ownWorld('classic');
    await seedTasks(db, { Success: 3, Failed: 1 });
    const status = { table: 'tasks', statusColumn: 'task_status', statuses: ['Success', 'Failed'], refreshMs: 1000 };
    const bot = await startBot(db.appUrl(), { status });
    cleanups.push(() => bot.stop());
    const first = await bot.say(VIEWER, '/status');
    const counted = first.later ? await first.later : first;
    expect(counted.text).toMatch(/^Tasks, all time: 4 total, 75% done, as of /);

    // A refresh under way when the server goes: the table is held by another session, so the GROUP BY waits.
    await seedTasks(db, { Failed: 4 });
    const lock: PoolConnection = await db.admin.getConnection();
    await lock.query('LOCK TABLES tasks WRITE');
    await until(async () => (await db.sql("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND INFO LIKE '%GROUP BY%'", [db.appUser])).length > 0, {
      what: 'a background refresh waiting for the table',
    });
    lock.destroy();
    await server.down();
    // While it is down the answer is the stored counts, which are on the server too: a specific "unavailable", never a hang or made-up numbers.
    const during = await bot.say(VIEWER, '/status');
    process.stderr.write(`mysql restart: /status while the server is down: ${during.code ?? 'ok'}: ${during.text}\n`);
    if (during.code) expect([during.code, during.text]).toEqual(['unavailable', expect.stringMatching(/unavailable/)]);
    else expect(during.text).toMatch(/^Tasks, all time: 4 total, 75% done, as of /);
    await server.up();
    // The refresh recovers by itself: the counts after the restart include the rows added before it.
    const after = await until(async () => {
      const r = await bot.say(VIEWER, '/status');
      return /^Tasks, all time: 8 total, \d+% done, as of /.test(r.text) && r;
    }, { what: 'the counts after the restart', timeoutMs: 30_000, everyMs: 250 });
    expect(after.code).toBeUndefined();
    // Every stored snapshot is whole (one count per status), however many refreshes were cut short.
    const partial = await db.sql(
      'SELECT s.id, COUNT(c.status) AS n, COUNT(DISTINCT c.status) AS d FROM status_snapshots s LEFT JOIN status_snapshot_counts c ON c.snapshot_id = s.id GROUP BY s.id HAVING n <> 2 OR d <> 2',
    );
    expect(partial).toEqual([]);
  }, 90_000);
});
