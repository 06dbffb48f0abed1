import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/core/reply.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, type TestDatabase } from '../helpers/mysql.js';
import { startNotesBot, type NotesBot } from '../helpers/notes-bot.js';
import { expectNoteTruth } from '../helpers/note-truth.js';

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

/** Issue 15: every note stored at most once, every caller told the truth (test/helpers/note-truth.ts). */
const expectTruth = async (replies: Reply[]) => void (await expectNoteTruth(db!, bot!, replies));

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
