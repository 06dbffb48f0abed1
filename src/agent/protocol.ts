import { z } from 'zod';

/** Protocol version; a message with any other `v` is refused. */
export const PROTOCOL_VERSION = 1;

/** The image rule of docs/agent.md: a plain file name ending in .iso, no path, nothing a shell would read. */
export const IMAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.iso$/;
/** Job ids come from the bot's queue; kept to characters that are safe in logs and file names. */
export const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const SPEED = /^\d+[kKmM]?$/;

const base = { v: z.literal(PROTOCOL_VERSION), id: z.string().min(1).max(64) };
const jobId = z.string().regex(JOB_ID, 'a job id (letters, digits, . _ : -)');
const driveName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'a drive name');

/** Every request a client may send; the agent parses with this and refuses anything else. */
export const requestSchema = z.discriminatedUnion('op', [
  z.strictObject({ ...base, op: z.literal('hello') }),
  z.strictObject({ ...base, op: z.literal('heartbeat') }),
  z.strictObject({ ...base, op: z.literal('images') }),
  z.strictObject({ ...base, op: z.literal('drives') }),
  z.strictObject({
    ...base,
    op: z.literal('burn'),
    jobId,
    image: z.string().max(300),
    drive: driveName,
    verify: z.boolean().default(true),
    // Eject after a good verify unless told not to (docs/burn.md).
    eject: z.boolean().default(true),
    speed: z.string().regex(SPEED, 'a speed like 4000k').optional(),
  }),
  // `watch` subscribes the caller to a running job's events (re-attach after a reconnect).
  z.strictObject({ ...base, op: z.literal('status'), jobId, watch: z.boolean().default(false) }),
  z.strictObject({ ...base, op: z.literal('cancel'), jobId }),
  z.strictObject({ ...base, op: z.literal('eject'), drive: driveName }),
  z.strictObject({ ...base, op: z.literal('run'), jobId, command: z.string().max(64), ref: z.string().max(200) }),
]);
export type Request = z.output<typeof requestSchema>;
export type RequestInput = z.input<typeof requestSchema>;
export type Op = Request['op'];

/** Error codes on the wire; the client maps them to UserError codes. */
export type AgentErrorCode =
  | 'bad_request'
  | 'bad_image'
  | 'unknown_drive'
  | 'busy'
  | 'unknown_job'
  | 'not_running'
  | 'unsupported'
  | 'burn_failed'
  | 'unknown_command'
  | 'bad_ref'
  | 'internal';

export type Phase = 'writing' | 'verifying' | 'ejecting';

export interface ImageInfo {
  readonly name: string;
  /** Bytes of the ISO file system (from the primary volume descriptor). */
  readonly size: number;
  readonly volumeId: string;
}

export interface DriveInfo {
  readonly name: string;
  readonly kind: 'device' | 'pseudo';
  readonly speed?: string;
  /** The job using the drive, if any. */
  readonly busyWith?: string;
}

export type BurnOutcome = 'ok' | 'verify_mismatch' | 'cancelled' | 'failed' | 'failed_interrupted';

export interface BurnResult {
  readonly outcome: BurnOutcome;
  readonly ok: boolean;
  readonly message: string;
  readonly image: string;
  readonly drive: string;
  readonly bytes?: number;
  readonly imageSha256?: string;
  readonly driveSha256?: string;
  readonly verified: boolean;
  /** 'no-op' on a pseudo-drive, which has no tray. */
  readonly ejected: boolean | 'no-op';
  readonly startedAt: string;
  readonly finishedAt: string;
}

export type RunOutcome = 'ok' | 'failed' | 'timeout' | 'cancelled' | 'failed_interrupted';

/** The result of a `run` job (a deploy command); `kind` tells it apart from a burn's result on the wire. */
export interface RunResult {
  readonly kind: 'run';
  readonly outcome: RunOutcome;
  readonly ok: boolean;
  readonly message: string;
  readonly command: string;
  readonly ref: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly durationMs: number;
  readonly startedAt: string;
  readonly finishedAt: string;
}

/** `status {jobId}` for a run job: running (with the last lines of output), or finished. */
export type RunStatus =
  | { readonly jobId: string; readonly state: 'running'; readonly command: string; readonly ref: string; readonly tail: readonly string[] }
  | { readonly jobId: string; readonly state: 'finished'; readonly result: RunResult }
  | { readonly jobId: string; readonly state: 'unknown' };

export interface Progress {
  readonly phase: Phase;
  readonly bytes: number;
  readonly total: number;
  /** Bytes per second over the last interval. */
  readonly rate: number;
}

export type JobStatus =
  | { readonly jobId: string; readonly state: 'running'; readonly image: string; readonly drive: string; readonly progress?: Progress }
  | { readonly jobId: string; readonly state: 'finished'; readonly result: BurnResult }
  | { readonly jobId: string; readonly state: 'unknown' };

export interface HelloInfo {
  readonly agent: string;
  readonly v: number;
  readonly heartbeatMs: number;
  readonly drives: number;
}

export interface EjectResult {
  readonly drive: string;
  readonly ejected: boolean | 'no-op';
  readonly message: string;
}

/** Everything the agent sends. `reply` answers a request by id; job events carry the jobId. */
export type AgentMessage =
  | { v: 1; op: 'reply'; id: string; data: unknown }
  | { v: 1; op: 'accepted'; id: string; jobId: string; attached: boolean }
  | ({ v: 1; op: 'progress'; jobId: string } & Progress)
  | { v: 1; op: 'log'; jobId: string; line: string }
  | { v: 1; op: 'done'; jobId: string; result: BurnResult | RunResult }
  | { v: 1; op: 'error'; id?: string; jobId?: string; code: AgentErrorCode; message: string }
  | { v: 1; op: 'heartbeat' };
