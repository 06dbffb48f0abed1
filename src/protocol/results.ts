import { z } from 'zod';
import { jobIdField, PROTOCOL_VERSION } from './requests.js';

/** The shapes inside the agent's answers: reply data, job results and statuses (docs/agent.md). */

const bytes = z.number().int().nonnegative();
const isoTime = z.iso.datetime().describe('ISO 8601 UTC time, e.g. `2026-11-27T12:00:00.000Z`');

export const phaseSchema = z.enum(['writing', 'verifying', 'ejecting']);
export const progressFields = {
  phase: phaseSchema.describe('what the burn is doing now'),
  bytes: bytes.describe('bytes written (or read back, while verifying) so far'),
  total: bytes.describe('bytes to write or verify: the image\'s ISO 9660 size; 0 before the first report'),
  rate: z.number().nonnegative().describe('bytes per second over the last interval'),
};
export const progressSchema = z.object(progressFields);

export const helloInfoSchema = z.object({
  agent: z.string().describe("the agent's name (`agent.name`, default the host name)"),
  v: z.union([z.literal(1), z.literal(PROTOCOL_VERSION)]).describe('the version the hello was asked in (an agent answers each request in its version)'),
  heartbeatMs: z.number().int().positive().describe('milliseconds between the agent\'s heartbeats'),
  drives: z.number().int().nonnegative().describe('how many drives it has (a count; `drives` lists them)'),
  capabilities: z
    .array(z.string())
    .optional()
    .describe('what the agent can do: `burn`, `deploy` (run with ref), `commands` (declared commands: run with args, v 2); absent from agents of protocol 1'),
  commands: z.array(z.string()).optional().describe('the names under its `agent.commands` (answers in v 2 only): what `run` may name'),
});

export const imageInfoSchema = z.object({
  name: z.string().describe('file name in the images directory'),
  size: bytes.describe('bytes of the ISO 9660 file system (primary volume descriptor): what a burn writes and verifies'),
  volumeId: z.string().describe('the volume id, may be empty'),
});

export const driveInfoSchema = z.object({
  name: z.string(),
  kind: z.enum(['device', 'pseudo']).describe('`pseudo` is a file standing in for a drive (`stdio:` device)'),
  speed: z.string().optional().describe('configured write speed, e.g. `4000k`'),
  busyWith: z.string().optional().describe('the jobId using the drive, if any'),
});

const ejected = z.union([z.boolean(), z.literal('no-op')]).describe('`"no-op"` on a pseudo-drive, which has no tray');

export const ejectResultSchema = z.object({ drive: z.string(), ejected, message: z.string() });

export const cancelReplySchema = z.object({
  jobId: jobIdField,
  cancelling: z.literal(true).describe('the job then ends with `done`, outcome `cancelled`'),
});

export const burnOutcomeSchema = z.enum(['ok', 'verify_mismatch', 'cancelled', 'failed', 'failed_interrupted']);
export const burnResultSchema = z.object({
  outcome: burnOutcomeSchema,
  ok: z.boolean().describe('true exactly when outcome is `ok`'),
  message: z.string().describe('one line for people'),
  image: z.string(),
  drive: z.string(),
  bytes: bytes.optional().describe('bytes of the image'),
  imageSha256: z.string().optional().describe('hex SHA-256 of the image, when verified'),
  driveSha256: z.string().optional().describe('hex SHA-256 of as many bytes read back from the drive'),
  verified: z.boolean(),
  ejected,
  startedAt: isoTime.describe('when the agent started the burn'),
  finishedAt: isoTime.describe('when it ended'),
});

export const runOutcomeSchema = z.enum(['ok', 'failed', 'timeout', 'cancelled', 'failed_interrupted']);
export const runResultSchema = z.object({
  kind: z.literal('run').describe("tells a run's result from a burn's (which has no `kind`)"),
  outcome: runOutcomeSchema,
  ok: z.boolean().describe('true exactly when outcome is `ok` (exit 0)'),
  message: z.string().describe('one line for people'),
  command: z.string(),
  ref: z.string().optional().describe('a deploy\'s ref'),
  args: z.record(z.string(), z.string()).optional().describe("a declared command's values"),
  exitCode: z.number().int().nullable().describe('null when the command was stopped by a signal or could not start'),
  signal: z.string().nullable().describe('e.g. `SIGTERM` after a timeout or cancel'),
  durationMs: z.number().nonnegative().describe('milliseconds from start to end, measured by the agent'),
  startedAt: isoTime.describe('when the agent started the command'),
  finishedAt: isoTime.describe('when it ended'),
});

const unknownJob = z.object({ jobId: jobIdField, state: z.literal('unknown').describe('the agent has no such job') });

export const burnStatusSchema = z.discriminatedUnion('state', [
  z.object({
    jobId: jobIdField,
    state: z.literal('running'),
    image: z.string(),
    drive: z.string(),
    startedAt: isoTime.describe('when the agent started the job: a client that re-attaches measures the duration from it'),
    progress: progressSchema.optional().describe('the last progress event, if any yet'),
  }),
  z.object({ jobId: jobIdField, state: z.literal('finished'), result: burnResultSchema }),
  unknownJob,
]);

export const runStatusSchema = z.discriminatedUnion('state', [
  z.object({
    jobId: jobIdField,
    state: z.literal('running'),
    command: z.string(),
    ref: z.string().optional(),
    args: z.record(z.string(), z.string()).optional(),
    startedAt: isoTime.describe('when the agent started the command'),
    tail: z.array(z.string()).describe('the last 20 output lines'),
  }),
  z.object({ jobId: jobIdField, state: z.literal('finished'), result: runResultSchema }),
  unknownJob,
]);

/** What `status` answers: a burn's or a run's status, by whichever job the agent has under that jobId. */
export const statusReplySchema = z.union([burnStatusSchema, runStatusSchema]);

export type Phase = z.output<typeof phaseSchema>;
export type Progress = z.output<typeof progressSchema>;
export type HelloInfo = z.output<typeof helloInfoSchema>;
export type ImageInfo = z.output<typeof imageInfoSchema>;
export type DriveInfo = z.output<typeof driveInfoSchema>;
export type EjectResult = z.output<typeof ejectResultSchema>;
export type CancelReply = z.output<typeof cancelReplySchema>;
export type BurnOutcome = z.output<typeof burnOutcomeSchema>;
export type BurnResult = z.output<typeof burnResultSchema>;
export type RunOutcome = z.output<typeof runOutcomeSchema>;
export type RunResult = z.output<typeof runResultSchema>;
export type JobStatus = z.output<typeof burnStatusSchema>;
export type RunStatus = z.output<typeof runStatusSchema>;
