import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { burnResultSchema, runResultSchema } from '../protocol/index.js';

const common = {
  jobId: z.string().min(1),
  startedAt: z.iso.datetime(),
  /** The child's pid while it runs, so a restarted agent can stop an orphan. */
  pid: z.number().int().positive().optional(),
};
/** A burn in `jobs.json`. */
export const burnEntrySchema = z.object({ ...common, image: z.string(), drive: z.string(), result: burnResultSchema.optional() });
/** A deploy command in `runs.json`. */
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

/**
 * The agent's record of one kind of job by jobId, e.g. burns in `<stateDir>/jobs.json`. It is rewritten
 * whole (temp file + rename, synchronously) on each state change, so a crash leaves either the old or
 * the new file, and a job that was running when the agent died is found on the next start.
 */
export class JobLedger<E extends LedgerShape> {
  private readonly file: string;
  private readonly entries = new Map<string, E>();
  private readonly schema: z.ZodType<{ jobs: E[] }>;

  /**
   * `file` names the ledger inside stateDir (burns use jobs.json, deploy commands runs.json);
   * `entry` is its entries' schema: the file is read back through it, like any input from outside the process.
   */
  constructor(stateDir: string, file: string, entry: z.ZodType<E>) {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    this.file = join(stateDir, file);
    this.schema = z.object({ jobs: z.array(entry).default([]) });
    for (const e of this.read()) this.entries.set(e.jobId, e);
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
    this.entries.set(entry.jobId, entry);
    try {
      this.save();
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
    this.save();
  }

  finish(jobId: string, result: NonNullable<E['result']>): void {
    const e = this.entries.get(jobId);
    if (!e) return;
    e.result = result;
    delete e.pid;
    this.prune();
    this.save();
  }

  private prune(): void {
    const finished = [...this.entries.values()].filter((e) => e.result);
    for (const e of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.entries.delete(e.jobId);
  }

  private read(): E[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      // Refuse to start rather than forget jobs: a forgotten jobId could be burnt a second time.
      throw new Error(`the job ledger ${this.file} is not valid JSON (${(err as Error).message}); fix or move it aside`, { cause: err });
    }
    const data = this.schema.safeParse(raw);
    if (!data.success) {
      const where = data.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`the job ledger ${this.file} has entries this agent cannot read (${where}); fix or move it aside`);
    }
    return data.data.jobs;
  }

  private save(): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ v: 1, jobs: [...this.entries.values()] }), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
