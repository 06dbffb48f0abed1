import { appendFileSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The job ledger's file format (docs/agent.md, "Jobs survive restarts"): JSON lines, one entry's whole state per
 * line, appended on each state change; the last line of a jobId is its state. A line counts once its newline is
 * written, so a crash in the middle of an append leaves a torn last line, which reading drops and reports.
 */
export interface JournalRead<E> {
  /** Entries in file order: a later one of the same jobId replaces an earlier one. */
  readonly states: E[];
  /** The file ended in a line without its newline (dropped): the next write must rewrite the file whole. */
  readonly torn: boolean;
}

/** Reads `<name>.jsonl`; undefined when there is none. Every line goes through the entry schema. */
export function readJournal<E>(file: string, entry: z.ZodType<E>): JournalRead<E> | undefined {
  const text = readIfThere(file);
  if (text === undefined) return undefined;
  const lines = text.split('\n');
  // After the last newline: empty in a whole file, the start of a line in a torn one.
  const torn = lines.pop() !== '';
  return { states: lines.map((line, i) => parsed(file, ` line ${i + 1}`, line, entry)), torn };
}

/** Reads the format before the journal, `<name>.json` holding `{ v: 1, jobs: [...] }`; undefined when there is none. */
export function readLegacy<E>(file: string, entry: z.ZodType<E>): E[] | undefined {
  const text = readIfThere(file);
  return text === undefined ? undefined : parsed(file, '', text, z.object({ jobs: z.array(entry).default([]) })).jobs;
}

/** Adds one line per state: the cost of a change does not depend on how many jobs the file holds. */
export function appendStates(file: string, states: readonly unknown[]): void {
  appendFileSync(file, lines(states), { mode: 0o600 });
}

/** Writes the file whole (temp file + rename), so a crash leaves either the old file or the new one. */
export function rewriteStates(file: string, states: readonly unknown[]): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, lines(states), { mode: 0o600 });
    renameSync(tmp, file);
  } catch (err) {
    // A write or rename that fails (a full disk, a directory made read-only) leaves no half-written temp file behind.
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The write's own error is the one to report.
    }
    throw err;
  }
}

const lines = (states: readonly unknown[]): string => states.map((s) => `${JSON.stringify(s)}\n`).join('');

function readIfThere(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // A ledger that is there but cannot be read is not an empty one: the agent would forget its jobs.
    throw err;
  }
}

/** One JSON text through its schema; anything else stops the agent at start, naming the file (and the line). */
function parsed<T>(file: string, where: string, text: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    // Refuse to start rather than forget jobs: a forgotten jobId could be burnt a second time.
    throw new Error(`the job ledger ${file}${where} is not valid JSON (${(err as Error).message}); fix or move it aside`, { cause: err });
  }
  const data = schema.safeParse(raw);
  if (!data.success) {
    const at = data.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`the job ledger ${file}${where} has entries this agent cannot read (${at}); fix or move it aside`);
  }
  return data.data;
}
