import { z } from 'zod';
import { DRIVE_NAME, IMAGE_NAME, JOB_ID, REF_MAX_LENGTH } from '../words/names.js';

/** Protocol version; a message with any other `v` is refused (agent) or dropped (bot). See docs/agent.md. */
export const PROTOCOL_VERSION = 1;

// The words both ends check (src/words/names.ts); the agent's checks read them from here.
export { IMAGE_NAME, JOB_ID, DRIVE_NAME } from '../words/names.js';
const SPEED = /^\d+[kKmM]?$/;

export const versionField = z.literal(PROTOCOL_VERSION).describe('protocol version');
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
  ref: z.string().max(REF_MAX_LENGTH).describe("checked against that command's refPattern, else bad_ref"),
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
