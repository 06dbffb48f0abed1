import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/mysql.js';
import { startNotesBot, type NotesBot } from '../helpers/notes-bot.js';

let db: TestDatabase;
let bot: NotesBot;

beforeAll(async () => {
  db = await createTestDatabase();
  bot = await startNotesBot(db, db.appUrl(), 50);
});
afterAll(async () => {
  await bot?.stop();
  await db?.drop();
});

describe('load: 1,000 concurrent /note add from 50 principals (real MariaDB)', () => {
  it('stores exactly 1,000 notes, writes exactly 1,000 audit rows, and answers every caller "saved"', async () => {
    const replies = await Promise.all(Array.from({ length: 1000 }, (_, i) => bot.say(bot.writers[i % 50]!, `/note add load note ${i}`)));
    const saved = replies.filter((r) => r.code === undefined && /^note #\d+ saved$/.test(r.text));
    const errors = [...new Set(replies.filter((r) => !saved.includes(r)).map((r) => r.text))];
    // One comparison, so a failure shows every number at once.
    expect({ saved: saved.length, errors, ...(await bot.counts()) }).toEqual({ saved: 1000, errors: [], notes: 1000, distinctBodies: 1000, audit: 1000 });
    // Every caller got its own note id.
    expect(new Set(saved.map((r) => r.text)).size).toBe(1000);
    const perAuthor = await db.sql<{ n: number }>('SELECT COUNT(*) AS n FROM notes GROUP BY author_key');
    expect(perAuthor.map((r) => Number(r.n))).toEqual(Array.from({ length: 50 }, () => 20));
  }, 120_000);
});
