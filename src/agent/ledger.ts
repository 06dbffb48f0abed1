import { mkdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { burnResultSchema, runResultSchema } from '../protocol/index.js';
import { appendStates, readJournal, readLegacy, rewriteStates } from './journal.js';

const common = {
  jobId: z.string().min(1),
  startedAt: z.iso.datetime(),
  /** The child's pid while it runs, so a restarted agent can stop an orphan. */
  pid: z.number().int().positive().optional(),
};
/** A burn in `jobs.jsonl`. */
export const burnEntrySchema = z.object({ ...common, image: z.string(), drive: z.string(), result: burnResultSchema.optional() });
/** A deploy command in `runs.jsonl`. */
export const runEntrySchema = z.object({
  ...common,
  command: z.string(),
  ref: z.string().optional(),
  // A declared command's values (as sent, already checked): recorded so `status` can say what runs.
  args: z.record(z.string(), z.string()).optional(),
  result: runResultSchema.optional(),
});
export type BurnEntry = z.output<typeof burnEntrySchema>;
export type RunEntry = z.output<typeof runEntrySchema>;

/** What every ledger entry has, whatever kind of job it records. */
export interface LedgerShape {
  readonly jobId: string;
  pid?: number;
  result?: unknown;
}

/** Finished jobs kept for `status`; older ones are dropped so the file stays small. */
const KEEP_FINISHED = 500;
/** The journal is rewritten whole once it holds this many lines and twice as many as there are entries. */
const COMPACT_AT = 1_000;

/**
 * The agent's record of one kind of job by jobId, e.g. burns in `<stateDir>/jobs.jsonl` (docs/agent.md, "Jobs
 * survive restarts"). Each state change appends one line (src/agent/journal.ts), synchronously, so its cost does not
 * grow with the entries; the file is rewritten whole (temp file + rename) once it grows past a bound. A crash leaves
 * a readable file, and a job that was running when the agent died is found on the next start.
 */
export class JobLedger<E extends LedgerShape> {
  private readonly file: string;
  /** By jobId, in the order of their last change: the order of their last lines in the file. */
  private readonly entries = new Map<string, E>();
  /** Finished jobIds, the earliest finished first: they are dropped first past KEEP_FINISHED. */
  private readonly finished = new Set<string>();
  /** Lines in the file, counted so it is compacted once most of them are out of date. */
  private lines = 0;
  /** The file may end in a torn line (found at start, or left by a failed append): the next write rewrites it whole. */
  private mustRewrite = false;
  /** What opening the file found that an operator should hear (a torn last line, a migration): logged at start. */
  readonly notes: string[] = [];

  /**
   * `name` names the ledger inside stateDir (burns use `jobs`, deploy commands `runs`: `jobs.jsonl`, `runs.jsonl`);
   * `entry` is its entries' schema: the file is read back through it, like any input from outside the process.
   * A ledger of the format before (`jobs.json`, `runs.json`) is read once and rewritten as a journal.
   */
  constructor(stateDir: string, name: string, entry: z.ZodType<E>) {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    this.file = join(stateDir, `${name}.jsonl`);
    const journal = readJournal(this.file, entry);
    for (const e of journal?.states ?? []) this.remember(e);
    this.lines = journal?.states.length ?? 0;
    if (journal?.torn) {
      this.mustRewrite = true;
      this.notes.push(`the job ledger ${this.file} ended in a line cut short (the agent stopped while writing it); that line was dropped`);
    }
    const legacyFile = join(stateDir, `${name}.json`);
    const legacy = readLegacy(legacyFile, entry);
    if (legacy) {
      // After the journal: when both exist, an older agent wrote the old file after an upgrade, so its states are newer.
      for (const e of legacy) this.remember(e);
      this.prune();
      this.rewrite();
      // Removed only once the journal holds its entries: a crash in between reads it again, to the same result.
      unlinkSync(legacyFile);
      this.notes.push(`the job ledger ${legacyFile} (${legacy.length} entries) was rewritten as ${this.file} and removed`);
    }
    this.prune();
  }

  get(jobId: string): E | undefined {
    return this.entries.get(jobId);
  }

  /** Entries without a result: jobs that were running when the previous agent process stopped. */
  unfinished(): E[] {
    return [...this.entries.values()].filter((e) => !e.result);
  }

  /** Records a new job; when the file cannot be written the job is forgotten again, since it will not run. */
  start(entry: E): void {
    this.remember(entry);
    try {
      this.save(entry);
    } catch (err) {
      this.entries.delete(entry.jobId);
      throw err;
    }
  }

  setPid(jobId: string, pid: number | undefined): void {
    const e = this.entries.get(jobId);
    if (!e) return;
    if (pid === undefined) delete e.pid;
    else e.pid = pid;
    this.remember(e);
    this.save(e);
  }

  /** The result and, in the same line, the pid cleared: a finished job has no process left to stop. */
  finish(jobId: string, result: NonNullable<E['result']>): void {
    const e = this.entries.get(jobId);
    if (!e) return;
    e.result = result;
    delete e.pid;
    this.remember(e);
    this.prune();
    this.save(e);
  }

  /** Takes `e` as the jobId's state, last in the order (the file's order after this change). */
  private remember(e: E): void {
    this.entries.delete(e.jobId);
    this.entries.set(e.jobId, e);
    this.finished.delete(e.jobId);
    if (e.result) this.finished.add(e.jobId);
  }

  private prune(): void {
    for (const jobId of this.finished) {
      if (this.finished.size <= KEEP_FINISHED) break;
      this.finished.delete(jobId);
      this.entries.delete(jobId);
    }
  }

  /** One line for the change, or the whole file when it is due: the change is written once either way. */
  private save(e: E): void {
    if (this.mustRewrite || this.lines >= Math.max(COMPACT_AT, 2 * this.entries.size)) return this.rewrite();
    try {
      appendStates(this.file, [e]);
      this.lines += 1;
    } catch (err) {
      // Part of the line may have reached the file: the next write starts it afresh rather than after a torn line.
      this.mustRewrite = true;
      throw err;
    }
  }

  private rewrite(): void {
    rewriteStates(this.file, [...this.entries.values()]);
    this.lines = this.entries.size;
    this.mustRewrite = false;
  }
}
