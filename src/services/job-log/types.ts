/**
 * Durable job history and output (docs/web.md, "Job history and output"): what a job page shows after
 * its worker is gone and its thread's relay backlog is trimmed. MySQL where configured, else memory.
 */
export type JobLogKind = 'burn' | 'deploy';

/**
 * How a job ended, as the code that ended it says it (never read back from the words of its final line):
 * `ok` did what was asked; `failed`; `cancelled` by someone (or the demo quitting); `not_queued` ended
 * before it was queued (its thread was posted, the queueing failed or its process died); `lost` its
 * worker or agent went away, and what became of the work is not known.
 */
export const JOB_OUTCOMES = ['ok', 'failed', 'cancelled', 'not_queued', 'lost'] as const;
export type JobOutcome = (typeof JOB_OUTCOMES)[number];

/** One job as recorded: who asked, what it is, when a worker took it and how it ended. */
export interface JobRecord {
  readonly id: string;
  readonly kind: JobLogKind;
  readonly summary: string;
  readonly requester: string;
  readonly requesterKey: string;
  /** A declared run command's job: the command, whose roles decide who sees its output (docs/commands.md). */
  readonly command?: string;
  /** When a worker first took it; for a job that ended before any worker did, when it was asked for. */
  readonly startedAt: Date;
  readonly endedAt?: Date;
  /** Set once ended: how. */
  readonly outcome?: JobOutcome;
  /** Set once ended: whether it did what was asked (`outcome` is `ok`). */
  readonly ok?: boolean;
  /** The last word, as the thread's final line says it. */
  readonly result?: string;
}

/** One line of a job's output or milestones, numbered from 1 in the order the worker produced it. */
export interface JobLine {
  readonly n: number;
  readonly text: string;
}

export interface JobStart {
  readonly id: string;
  readonly kind: JobLogKind;
  readonly summary: string;
  readonly requester: string;
  readonly requesterKey: string;
  readonly command?: string;
  readonly startedAt: Date;
}

export interface JobEnd {
  readonly outcome: JobOutcome;
  readonly result: string;
  readonly endedAt: Date;
}

/** The longest line stored; longer ones are cut with `…` (the column is VARCHAR(2000)). */
export const MAX_LINE = 2000;
/** Lines kept per job; a job that prints more keeps the first ones and one line saying how many went. */
export const MAX_LINES = 20_000;

export interface JobLog {
  /**
   * Records that a worker took the job (again, after a worker was lost: the first start stays) and
   * resolves with the number the next line gets, so a worker that re-attaches continues the numbering.
   */
  begin(job: JobStart): Promise<number>;
  /** Appends numbered lines; a line number already stored is kept as it was (a retried batch). */
  append(id: string, lines: readonly JobLine[]): Promise<void>;
  /** Records the job's end; the first end stays (a second one, from another path that saw the job end, is ignored). */
  end(id: string, end: JobEnd): Promise<void>;
  get(id: string): Promise<JobRecord | undefined>;
  /** Lines after `after`, in order, at most `limit`. */
  lines(id: string, after: number, limit: number): Promise<JobLine[]>;
  /** Ended jobs, newest first. */
  history(limit: number): Promise<JobRecord[]>;
  /** Removes jobs that ended before `before` and their lines; resolves with how many jobs went. */
  prune(before: Date): Promise<number>;
}

/** The port the job pages and workers use (docs/architecture.md, "Ports"). */
export interface JobLogPort {
  readonly jobLog?: JobLog;
}

export function cut(text: string): string {
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE - 1)}…` : text;
}
