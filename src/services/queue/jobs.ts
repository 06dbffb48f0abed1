import type { z } from 'zod';
import type { JobIntent, StaleOpening } from './opening.js';
import type { JobOutcome } from '../job-log/types.js';
/** The shape every kind of job queue shares (burns per drive, deploys per target). */
export type JobState = 'queued' | 'running' | 'finished' | 'failed';

export interface JobView<D, R, P> {
  readonly id: string;
  readonly data: D;
  readonly state: JobState;
  /** Jobs ahead of this one in its lane (queued jobs only). */
  readonly position?: number;
  readonly progress?: P;
  readonly result?: R;
  readonly error?: string;
  /** Milliseconds since the job's worker last reported, once that is longer than a worker may be silent (running jobs). */
  readonly silentMs?: number;
  /** When a worker took it and when it ended (epoch ms), once known: the web view's history shows the duration. */
  readonly startedAt?: number;
  readonly endedAt?: number;
}

/** A job whose worker has stopped reporting; `lastReport` names this loss (see JobQueue.claimLoss). */
export interface SilentJob<D, R, P> {
  readonly view: JobView<D, R, P>;
  readonly lastReport: string;
}

/** How a job ends with the queue: its result, or why it failed (for good: jobs are never retried). */
export type Settled<R> = { readonly result: R } | { readonly error: string };

/**
 * A job's end as its worker decided it, kept beside the queue before its thread is told, so that a
 * worker taking the job over (the first one was lost before the queue recorded the end) tells that end
 * once instead of one of its own (docs/hosting.md, "What a SIGKILL loses").
 */
export interface ToldEnd<R> {
  /**
   * How far its worker got: `decided` (the final line is not posted yet), `posting` (it may or may not
   * have reached the thread), `told` (the post is over).
   */
  readonly state: 'decided' | 'posting' | 'told';
  readonly outcome: JobOutcome;
  readonly settled: Settled<R>;
  /** The thread's final status and line, as the worker words them (before the mention and the page link). */
  readonly status: string;
  readonly text: string;
}

/** One job's end marks (JobProcessor's `final`): written around the posting of its final line. */
export interface FinalLine<R> {
  /** What the worker before this one recorded of the job's end, if it got that far. */
  readonly previous?: ToldEnd<R>;
  /** The end is decided: before anything of it reaches the thread or the record. */
  decided(end: Omit<ToldEnd<R>, 'state'>): Promise<void>;
  /** The final line is about to be posted: right before the platform is asked. */
  posting(): Promise<void>;
  /** The final line was posted (or its one attempt failed): this worker's telling is over. */
  told(): Promise<void>;
}

/**
 * Runs one job to its end; throws when the job cannot finish. `previous` is the last progress a
 * worker stored before this one took the job over (its worker was lost), if any; `final`, where the
 * queue is shared by several processes, keeps the job's end told once (ToldEnd).
 */
export type JobProcessor<D, R, P> = (id: string, data: D, progress: (p: P) => void, previous?: P, final?: FinalLine<R>) => Promise<R>;

/**
 * Jobs in lanes (a drive, a deploy target): one job at a time per lane, ids unique across lanes.
 * A job is never retried.
 */
export interface JobQueue<D, R, P> {
  add(id: string, data: D): Promise<{ position: number }>;
  get(id: string): Promise<JobView<D, R, P> | undefined>;
  /** Queued and running jobs, per lane in order. */
  list(): Promise<JobView<D, R, P>[]>;
  removeQueued(id: string): Promise<'removed' | JobState | 'unknown'>;
  /**
   * Marks a started job as cancelled before its worker has handed it on (e.g. while it waits for a
   * busy drive); the worker checks `cancelRequested` before it starts the real work.
   */
  requestCancel(id: string): Promise<void>;
  cancelRequested(id: string): Promise<boolean>;
  /** Workers (in any process) that take jobs of `data`'s lane; a job nobody takes waits forever. */
  workers?(data: D): Promise<number>;
  /**
   * Jobs whose worker has stopped reporting (Redis queues: its heartbeat), and those the queue ended
   * while their worker was silent (their end was not reported here); undefined where a job's worker is
   * this process (the in-process queue).
   */
  silent?(): Promise<SilentJob<D, R, P>[]>;
  /**
   * True for exactly one caller per loss, while the job is still silent: that caller tells its thread.
   * A silent job's end is a loss of its own, taken once too.
   */
  claimLoss?(job: SilentJob<D, R, P>): Promise<boolean>;
  /** A silent job's end is recorded: its worker owes no reports any more. */
  endSilence?(id: string): Promise<void>;
  /** True when the job's worker told its end before it went silent: the next worker settles it without a word. */
  endTold?(id: string): Promise<boolean>;
  /** Gives a claimed loss back (its end could not be recorded now), so a later look takes it again. */
  releaseLoss?(job: SilentJob<D, R, P>): Promise<void>;
  /** Ended jobs (finished or failed), newest first, as long as the queue keeps them (the web view's history). */
  history?(limit: number): Promise<JobView<D, R, P>[]>;
  /** Runs `processor` for the given lanes in this process (idempotent per lane). */
  work(lanes: readonly string[], processor: JobProcessor<D, R, P>): void;
  /**
   * Shared queues (several replicas; docs/hosting.md, "What a SIGKILL loses"): records where a job's
   * thread is about to be posted, before it is posted, and keeps the record fresh until `opening` or
   * `dropOpening`. Throws (nothing was queued) when Redis does not take it.
   */
  intend?(id: string, intent: JobIntent): Promise<void>;
  /**
   * The thread is posted: the record holds the job's data (its thread) now; `add` clears it. False when
   * a sweep took the record meanwhile (it told the channel): the job must not be queued then.
   */
  opening?(id: string, data: D): Promise<boolean>;
  /** The thread could not be posted, or queueing failed and the caller told the thread. */
  dropOpening?(id: string): Promise<void>;
  /** Openings not refreshed for `olderThanMs`: their request stopped between its thread and the queue. */
  staleOpenings?(olderThanMs: number): Promise<StaleOpening<D>[]>;
  /** True for exactly one caller, when the job was never queued: that caller tells its thread or channel. */
  claimOpening?(o: StaleOpening<D>): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * How a kind of job is queued: its name (queue names, Redis keys), the lane a job belongs to, and
 * the schemas its data and result are parsed with when read back from outside the process (an
 * opening, an end mark in Redis). A kind without `result` keeps no end marks.
 */
export interface JobKind<D, R = unknown> {
  readonly name: string;
  lane(data: D): string;
  readonly data: z.ZodType<D>;
  readonly result?: z.ZodType<R>;
}
