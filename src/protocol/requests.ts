import { z } from 'zod';
import { DRIVE_NAME, IMAGE_NAME, JOB_ID, REF_MAX_LENGTH } from '../words/names.js';
import { ARG_NAME, ARG_VALUE_MAX_LENGTH, MAX_ARGS, argNameSchema } from './command-args.js';

/**
 * Protocol version this release speaks. Version 1 frames are still read on both ends: a message whose
 * shape did not change keeps `v: 1`, so bots and agents of the two releases work together during an
 * upgrade; only `run` with `args` (declared commands) needs 2. See docs/agent.md, "Versions".
 */
export const PROTOCOL_VERSION = 2;
/** Every version a frame may carry; any other `v` is refused (agent) or dropped (bot). */
export const PROTOCOL_VERSIONS: readonly number[] = [1, 2];

// The words both ends check (src/words/names.ts); the agent's checks read them from here.
export { IMAGE_NAME, JOB_ID, DRIVE_NAME } from '../words/names.js';
const SPEED = /^\d+[kKmM]?$/;

export const versionField = z.union([z.literal(1), z.literal(PROTOCOL_VERSION)]).describe('protocol version: 1 or 2 (see "Versions")');
export const requestId = z.string().min(1).max(64).describe('chosen by the client, unique among its requests in flight; echoed in the answer');
export const jobIdField = z.string().regex(JOB_ID, 'a job id (letters, digits, . _ : -)').describe('the job, by the id its client chose');
const newJobId = jobIdField.describe("the client's idempotency key: a jobId the agent knows re-attaches the client to that job, never starts it again");
const driveName = z.string().regex(DRIVE_NAME, 'a drive name').describe('a drive named in the agent\'s config');
const base = { v: versionField, id: requestId };

const hello = z.strictObject({ ...base, op: z.literal('hello') });
const heartbeat = z.strictObject({
  v: versionField,
  op: z.literal('heartbeat'),
  id: requestId.optional().describe('ignored; allowed so a client may reuse its request envelope'),
});
const images = z.strictObject({ ...base, op: z.literal('images') });
const drives = z.strictObject({ ...base, op: z.literal('drives') });
const burn = z.strictObject({
  ...base,
  op: z.literal('burn'),
  jobId: newJobId,
  image: z.string().max(300).describe(`an image file name in the agent's images directory, matching \`${IMAGE_NAME.source}\`; else bad_image`),
  drive: driveName,
  verify: z.boolean().default(true).describe('read the disc back and compare SHA-256 with the image'),
  // Eject after a good verify unless told not to (docs/burn.md).
  eject: z.boolean().default(true).describe('eject after a good verify'),
  speed: z.string().regex(SPEED, 'a speed like 4000k').optional().describe("xorriso's write speed: digits, optionally k or m (e.g. `4000k`); a string, never a number; default the drive's configured speed"),
});
const status = z.strictObject({
  ...base,
  op: z.literal('status'),
  jobId: jobIdField,
  watch: z.boolean().default(false).describe("also send this client the job's further events (re-attach)"),
});
const cancel = z.strictObject({ ...base, op: z.literal('cancel'), jobId: jobIdField });
const eject = z.strictObject({ ...base, op: z.literal('eject'), drive: driveName });
const run = z.strictObject({
  ...base,
  op: z.literal('run'),
  jobId: newJobId,
  command: z.string().max(64).describe("a command named in the agent's `agent.commands`, else unknown_command"),
  ref: z.string().max(REF_MAX_LENGTH).optional().describe("a deploy: checked against that command's refPattern, else bad_ref (the v1 shape; exactly one of ref and args)"),
  args: z
    .preprocess((raw, ctx) => {
      // zod drops a `__proto__` key from a record without a word; it is an argument no command has, so refuse it.
      if (raw !== null && typeof raw === 'object' && Object.hasOwn(raw, '__proto__')) ctx.addIssue({ code: 'custom', message: `argument names match ${ARG_NAME.source}` });
      return raw;
    }, z.record(argNameSchema, z.string().max(ARG_VALUE_MAX_LENGTH)).refine((a) => Object.keys(a).length <= MAX_ARGS, `at most ${MAX_ARGS} arguments`))
    .optional()
    .describe("a declared command (v 2): typed values by argument name, each checked against that command's `args` pattern, else bad_args"),
});

/** One schema per request op, in the order docs/agent.md lists them. */
export const requestSchemas = { hello, heartbeat, images, drives, burn, status, cancel, eject, run } as const;

/** Every message a client may send; the agent parses with this and refuses anything else. */
export const requestSchema = z.discriminatedUnion('op', [hello, heartbeat, images, drives, burn, status, cancel, eject, run]);
export type Request = z.output<typeof requestSchema>;
export type RequestInput = z.input<typeof requestSchema>;
export type Op = Request['op'];
export type BurnRequestMessage = z.output<typeof burn>;
export type RunRequestMessage = z.output<typeof run>;
