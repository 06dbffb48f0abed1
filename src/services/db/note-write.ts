import { setTimeout as sleep } from 'node:timers/promises';
import type { RowDataPacket } from 'mysql2/promise';
import { UserError } from '../../core/errors.js';
import { neverSent, statement, type Db, type Param, type RunOptions } from './db.js';
import { errorCode } from './errors.js';

const ADD = statement(
  'notes.add',
  'INSERT INTO notes (author_key, author_name, platform, room, body, created_at, invocation_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
);
const BY_INVOCATION = statement('notes.byInvocation', 'SELECT id, created_at FROM notes WHERE invocation_id = ?');
/** The UNIQUE key of migration 2: a second insert for one invocation hits it. */
const INVOCATION_KEY = 'notes_invocation';

interface SavedRow extends RowDataPacket {
  id: number | string;
  created_at: Date;
}

export interface SavedNote {
  readonly id: number;
  readonly createdAt: Date;
}

export interface SaveOptions {
  /** How long to keep trying once an insert may have run without its answer arriving (`mysql.saveDeadlineMs`). */
  readonly withinMs: number;
  readonly now?: () => number;
}

/**
 * Inserts one note, at most once per invocation, and finds out which it was. An insert whose answer
 * was lost may have run, so "not saved" would be a guess that invites a duplicate: the same insert
 * is tried again until MySQL answers, and the UNIQUE invocation id turns a repeat into "already
 * saved" (a plain INSERT: the bot's user has no UPDATE grant). A failure before the statement left
 * the process is a certain "not saved". See docs/security.md.
 */
export async function saveNote(db: Db, values: readonly Param[], invocationId: string | undefined, createdAt: Date, opts: SaveOptions): Promise<SavedNote> {
  const now = opts.now ?? Date.now;
  const deadline = now() + opts.withinMs;
  let mayHaveRun = false;
  for (let wait = 200; ; wait = Math.min(wait * 2, 1000)) {
    try {
      // A repeat waits for a connection only as long as the save deadline leaves: it must answer by then.
      return await attempt(db, values, invocationId, createdAt, mayHaveRun ? { queueMs: deadline - now() } : undefined);
    } catch (err) {
      if (!(err instanceof UserError && err.code === 'unavailable')) throw err;
      mayHaveRun ||= outcomeUnknown(err);
      if (!mayHaveRun) throw new UserError('unavailable', `note not saved: ${err.message}`, { cause: err });
      // Without an invocation id a repeat could store the note twice, so there is nothing safe to retry.
      if (invocationId === undefined || now() + wait >= deadline) throw undecided(opts.withinMs, err);
    }
    await sleep(wait);
  }
}

async function attempt(db: Db, values: readonly Param[], invocationId: string | undefined, createdAt: Date, opts?: RunOptions): Promise<SavedNote> {
  try {
    const r = await db.exec(ADD, [...values, invocationId ?? null], opts);
    return { id: r.insertId, createdAt };
  } catch (err) {
    if (invocationId === undefined || !isDuplicateInvocation(err)) throw err;
  }
  // An earlier try of this invocation was stored: report that note, once.
  const [row] = await db.rows<SavedRow>(BY_INVOCATION, [invocationId], opts);
  if (!row) throw new Error(`notes: ${INVOCATION_KEY} refused ${invocationId} but no row has it`);
  return { id: Number(row.id), createdAt: row.created_at };
}

/** Sent, and no answer from MySQL (lost, timed out, connection dropped): it may have run. An `ER_` code is MySQL refusing it. */
function outcomeUnknown(err: UserError): boolean {
  return !neverSent(err) && !errorCode(err.cause)?.startsWith('ER_');
}

function isDuplicateInvocation(err: unknown): boolean {
  return errorCode(err) === 'ER_DUP_ENTRY' && err instanceof Error && err.message.includes(INVOCATION_KEY);
}

function undecided(withinMs: number, cause: unknown): UserError {
  const s = Math.round(withinMs / 1000);
  return new UserError(
    'unavailable',
    `database unavailable: MySQL stopped answering while the note was being saved and did not come back within ${s} s, so it may or may not be stored; /note list shows it if it was`,
    { cause },
  );
}
