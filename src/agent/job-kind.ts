import type { JobLedger, LedgerShape } from './ledger.js';
import type { AgentMessage, JobStatus, Progress, RunStatus } from '../protocol/index.js';

/** A job's result: whatever a `done` message can carry (src/protocol/messages.ts). */
export type JobResult = Extract<AgentMessage, { op: 'done' }>['result'];
/** What `status` answers while a job runs. */
export type RunningStatus = Extract<JobStatus | RunStatus, { state: 'running' }>;
/** A ledger entry of a job whose result is `R`. */
export type KindEntry<R extends JobResult> = LedgerShape & { readonly startedAt: string; result?: R };

/** One job, made by its kind. */
export interface Job<R extends JobResult> {
  /**
   * Does the work and resolves with the result. The manager calls it once, on the turn after `accepted`
   * left (docs/agent.md); a job cancelled before that starts nothing and resolves `cancelled`.
   */
  run(): Promise<R>;
  cancel(): void;
}

/** Where a job reports: events go to every client watching it, the pid goes to the ledger. */
export interface JobOutput {
  log(line: string): void;
  progress(p: Progress): void;
  pid(pid: number | undefined): void;
}

/** A request that passed its kind's checks: the entry to record, and the job to record it for. */
export interface Launch<E, J> {
  entry(startedAt: string): E;
  /** Makes the job, which starts nothing (that is `run()`): the manager makes it, then records it, then runs it. */
  job(entry: E, out: JobOutput): J;
}

/**
 * What makes a burn a burn, or a run a run: the JobManager (src/agent/jobs.ts) does the rest the same way
 * for every kind (idempotency by jobId across all kinds, one job per slot, ledger writes, start after `accepted`, cancel,
 * status, shutdown, restart). A new kind of job is one more of these; docs/architecture.md says how.
 */
export interface JobKind<Req extends { readonly jobId: string }, E extends KindEntry<R>, R extends JobResult, J extends Job<R>> {
  /** In log lines: "burn", "deploy command". */
  readonly name: string;
  /** Its own file in the state directory: jobIds are unique per kind. */
  readonly ledger: JobLedger<E>;
  /** The slot the request takes (a drive, a command), after the checks that need no I/O; throws an AgentError. */
  slot(req: Req): string;
  /** The `busy` refusal when `holder` has the slot. */
  busy(slot: string, holder: string): string;
  /** The rest of the checks, once the slot is free (an image lookup may await); throws an AgentError. */
  prepare(req: Req): Launch<E, J> | Promise<Launch<E, J>>;
  status(entry: E, job: J): RunningStatus;
  /** Log fields that name what the job works on. */
  describe(entry: E): Record<string, unknown>;
  /** After an agent restart: stops the process the dead agent left, only if it still is ours; true if it did. */
  stopOrphan(pid: number, entry: E): Promise<boolean>;
  /** The result of a job cut short by an agent restart (never restarted). */
  interrupted(entry: E): R;
  /** The result of a job whose start threw. */
  failed(entry: E, err: Error): R;
}
