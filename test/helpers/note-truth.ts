import { expect } from 'vitest';
import type { Reply } from '../../src/core/reply.js';
import type { NotesBot } from './notes-bot.js';
import type { TestDatabase } from './mysql.js';

/**
 * Issue 15: every note stored exactly once, every caller told the truth. Reply `i` answered
 * `/note add fault note <i>`: a caller told "saved" has exactly one row; a caller told anything else
 * has none (a "not saved" that was saved invites a retry and a duplicate); every invocation has one
 * audit row. Returns how many were saved.
 */
export async function expectNoteTruth(db: TestDatabase, bot: NotesBot, replies: readonly Reply[]): Promise<number> {
  const rows = await db.sql<{ body: string; n: number }>('SELECT body, COUNT(*) AS n FROM notes GROUP BY body');
  const stored = new Map(rows.map((r) => [r.body, Number(r.n)]));
  const lies: string[] = [];
  let saved = 0;
  replies.forEach((r, i) => {
    const n = stored.get(`fault note ${i}`) ?? 0;
    const ok = r.code === undefined && /^note #\d+ saved$/.test(r.text);
    if (ok) saved++;
    if (n > 1) lies.push(`note ${i} stored ${n} times`);
    else if (ok && n !== 1) lies.push(`note ${i}: told "${r.text}" but not stored`);
    else if (!ok && n !== 0) lies.push(`note ${i}: told "${r.text}" but stored`);
  });
  const counts = await bot.counts();
  expect({ lies: lies.slice(0, 10), liesTotal: lies.length, audit: counts.audit }).toEqual({ lies: [], liesTotal: 0, audit: replies.length });
  return saved;
}
