import { z } from 'zod';
import { threadRefSchema, type ThreadRef } from '../../core/thread.js';
import { principalSchema, type Principal } from '../../core/principal.js';
import { AGENT_COMMAND, AGENT_NAME } from '../../words/names.js';
import type { Config } from '../../config/schema.js';
import type { JobKind, JobQueue, JobView } from '../queue/jobs.js';

export type DeployTarget = NonNullable<Config['deploy']>['targets'][number];

/** Everything a worker in any process needs to run and report one deploy. Serialisable. */
export interface DeployJobData {
  readonly target: string;
  readonly ref: string;
  readonly requester: Principal;
  readonly thread: ThreadRef;
  readonly requestedAt: string;
  /**
   * A declared run command's job (docs/commands.md, "run: a command on an agent"), which reuses the
   * deploy job machinery: then `target` is the command's name (its lane: one run at a time) and `ref`
   * its values for people to read. Values are name/value pairs, already checked against their patterns.
   */
  readonly run?: { readonly agent: string; readonly command: string; readonly args: readonly (readonly [string, string])[] };
}

export type DeployOutcome = 'ok' | 'failed' | 'timeout' | 'cancelled';

export interface DeployResult {
  readonly outcome: DeployOutcome;
  readonly ok: boolean;
  readonly message: string;
  /** Command targets. */
  readonly exitCode?: number | null;
  /** Webhook targets: the trigger's HTTP status. */
  readonly httpStatus?: number;
  readonly durationMs: number;
}

/** Lines of output so far (kept on the job for /deploy status from any process). */
export interface DeployProgress {
  readonly lines: number;
  readonly last?: string;
}

export type DeployJobView = JobView<DeployJobData, DeployResult, DeployProgress>;
export type DeployQueue = JobQueue<DeployJobData, DeployResult, DeployProgress>;
/**
 * Declared run commands' jobs share one lane (`deploy.declared.run`; a target name has no dot, so none
 * collides): one at a time here, as the agent runs one per command anyway.
 */
export const DECLARED_RUN_LANE = 'declared.run';
/** One lane per target: a target deploys one job at a time. */
/** A deploy's (or declared run command's) data as read back from Redis (an opening). */
export const deployJobDataSchema = z.object({
  target: z.string().min(1).max(64),
  ref: z.string().max(2000),
  requester: principalSchema,
  thread: threadRefSchema,
  requestedAt: z.string().max(40),
  run: z
    .object({
      agent: z.string().regex(AGENT_NAME),
      command: z.string().regex(AGENT_COMMAND),
      args: z.array(z.tuple([z.string().max(64), z.string().max(2000)])).max(64),
    })
    .optional(),
}) satisfies z.ZodType<DeployJobData>;

/** A deploy's result as read back from Redis (the end mark a lost worker left, src/services/queue/end-marks.ts). */
export const deployResultSchema = z.object({
  outcome: z.enum(['ok', 'failed', 'timeout', 'cancelled']),
  ok: z.boolean(),
  message: z.string().max(100_000),
  exitCode: z.number().int().nullable().optional(),
  httpStatus: z.number().int().optional(),
  durationMs: z.number().nonnegative(),
}) satisfies z.ZodType<DeployResult>;

export const DEPLOY_KIND: JobKind<DeployJobData, DeployResult> = { name: 'deploy', lane: (d) => (d.run ? DECLARED_RUN_LANE : d.target), data: deployJobDataSchema, result: deployResultSchema };

/** Who holds a target's lock: a running deploy (with its job id) or a person who locked it by hand. */
export interface LockHolder {
  readonly by: Principal;
  readonly since: string;
  readonly reason?: string;
  readonly jobId?: string;
}

export interface LastDeploy {
  readonly jobId: string;
  readonly by: Principal;
  readonly ref: string;
  readonly at: string;
  readonly outcome: DeployOutcome;
  readonly summary: string;
}

/** Locks and the last deploy per target: Redis with the BullMQ setup, memory in the demo. */
export interface DeployStore {
  /** Takes the lock, or returns who holds it. */
  lock(target: string, holder: LockHolder): Promise<{ ok: true } | { ok: false; holder: LockHolder }>;
  holder(target: string): Promise<LockHolder | undefined>;
  /** Removes the lock only if it is still exactly `expected` (so a late release never frees someone else's lock). */
  release(target: string, expected: LockHolder): Promise<boolean>;
  setLast(target: string, last: LastDeploy): Promise<void>;
  /** Marks a job as started; false when it was already (a worker took over a job another one began). */
  markStarted(jobId: string): Promise<boolean>;
  last(target: string): Promise<LastDeploy | undefined>;
  close(): Promise<void>;
}
