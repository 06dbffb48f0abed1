import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/core/reply.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, type TestDatabase } from '../helpers/mysql.js';
import { startNotesBot, type NotesBot } from '../helpers/notes-bot.js';

const N = 1000;
let db: TestDatabase | undefined;
let proxy: FaultProxy | undefined;
let bot: NotesBot | undefined;
afterEach(async () => {
  await bot?.stop();
  await proxy?.close();
  await db?.drop();
  bot = proxy = db = undefined;
});

async function world(): Promise<NotesBot> {
  db = await createTestDatabase();
  proxy = await FaultProxy.start(MYSQL_HOST, MYSQL_PORT);
  bot = await startNotesBot(db, db.appUrl(proxy.port), 50);
  return bot;
}

/** N concurrent adds; `fault` runs once `after` callers have been answered. */
async function addsWithFault(b: NotesBot, after: number, fault: () => Promise<unknown>): Promise<Reply[]> {
  let answered = 0;
  let fired: Promise<unknown> | undefined;
  const replies = await Promise.all(
    Array.from({ length: N }, async (_, i) => {
      const r = await b.say(b.writers[i % 50]!, `/note add fault note ${i}`);
      if (++answered === after) fired = fault();
      return r;
    }),
  );
  await fired;
  return replies;
}

/**
 * Issue 15: every note stored exactly once, every caller told the truth. A caller told "saved" has
 * exactly one row; a caller told anything else has none (a "not saved" that was saved invites a
 * retry and a duplicate); every invocation has one audit row.
 */
async function expectTruth(replies: Reply[]): Promise<void> {
  const rows = await db!.sql<{ body: string; n: number }>('SELECT body, COUNT(*) AS n FROM notes GROUP BY body');
  const stored = new Map(rows.map((r) => [r.body, Number(r.n)]));
  const lies: string[] = [];
  replies.forEach((r, i) => {
    const n = stored.get(`fault note ${i}`) ?? 0;
    const saved = r.code === undefined && /^note #\d+ saved$/.test(r.text);
    if (n > 1) lies.push(`note ${i} stored ${n} times`);
    else if (saved && n !== 1) lies.push(`note ${i}: told "${r.text}" but not stored`);
    else if (!saved && n !== 0) lies.push(`note ${i}: told "${r.text}" but stored`);
  });
  const counts = await bot!.counts();
  expect({ lies: lies.slice(0, 10), liesTotal: lies.length, audit: counts.audit }).toEqual({ lies: [], liesTotal: 0, audit: N });
}

describe('fault: MySQL during 1,000 concurrent /note add', () => {
  it('connections cut mid-run: every note stored at most once and every caller told the truth', async () => {
    const b = await world();
    let cut = 0;
    const replies = await addsWithFault(b, 200, async () => (cut = proxy!.cut()));
    expect(cut).toBeGreaterThan(0);
    await expectTruth(replies);
  }, 120_000);

  it('answers lost for 3 s mid-run: every note stored at most once and every caller told the truth', async () => {
    const b = await world();
    const replies = await addsWithFault(b, 200, () => proxy!.hold(3000));
    await expectTruth(replies);
  }, 120_000);
});
