import { z } from 'zod';
import { jobIdField, requestId, versionField } from './requests.js';
import { burnResultSchema, progressFields, runResultSchema } from './results.js';

/**
 * Error codes on the wire, with the requests that can get each (docs/agent.md's error table is
 * generated from this). A failed job is never an `error`: it ends with `done`, outcome `failed`.
 */
export const ERROR_CODES = {
  bad_request: { ops: 'any', meaning: 'not UTF-8 JSON, not an object, unknown `op`, a field missing, mistyped or out of its limits, or a key the schema does not name' },
  unsupported: { ops: 'any', meaning: '`v` is missing or not 1 or 2 (an agent of the previous release says this to any `v: 2` frame)' },
  bad_image: { ops: 'burn', meaning: 'the image name does not match the pattern, is not in the images directory, not a regular file or not ISO 9660' },
  unknown_drive: { ops: 'burn, eject', meaning: "no drive of that name in the agent's config" },
  busy: { ops: 'burn, eject, run', meaning: 'the drive is in use by another job (its jobId is in the message), or the command is already running' },
  unknown_job: { ops: 'cancel', meaning: 'the agent never had this jobId' },
  not_running: { ops: 'cancel', meaning: 'the job has already finished' },
  unknown_command: { ops: 'run', meaning: "no command of that name in the agent's `agent.commands`" },
  bad_ref: { ops: 'run', meaning: "the ref does not match the command's refPattern" },
  bad_args: { ops: 'run', meaning: "a value does not fit its argument (pattern, length, a leading `-`, a `..` segment, a control character), an argument the command does not declare, one it needs is missing, or `ref` and `args` together or neither" },
  internal: { ops: 'any', meaning: 'the agent failed (e.g. cannot write its state directory); the message says what' },
} as const;

export type AgentErrorCode = keyof typeof ERROR_CODES;
const codes = Object.keys(ERROR_CODES) as [AgentErrorCode, ...AgentErrorCode[]];
export const errorCodeSchema = z.enum(codes);

const reply = z.object({
  v: versionField,
  op: z.literal('reply'),
  id: requestId.describe("the request's id"),
  data: z.unknown().describe("the answer; its shape depends on the request's op (see below)"),
});
const accepted = z.object({
  v: versionField,
  op: z.literal('accepted'),
  id: requestId.describe("the burn or run request's id"),
  jobId: jobIdField,
  attached: z.boolean().describe('true when the agent already knew the jobId: nothing was started, the client now watches that job'),
});
const progress = z.object({ v: versionField, op: z.literal('progress'), jobId: jobIdField, ...progressFields });
const log = z.object({ v: versionField, op: z.literal('log'), jobId: jobIdField, line: z.string().describe('one output line, at most 2000 characters (longer ones are cut, with …)') });
const done = z.object({
  v: versionField,
  op: z.literal('done'),
  jobId: jobIdField,
  result: z.union([runResultSchema, burnResultSchema]).describe('a burn result, or a run result (`kind: "run"`)'),
});
const error = z.object({
  v: versionField,
  op: z.literal('error'),
  id: requestId.optional().describe("the refused request's id; absent when the frame had no readable string `id`"),
  code: errorCodeSchema,
  message: z.string().describe('one line, safe to show to people'),
});
const heartbeat = z.object({ v: versionField, op: z.literal('heartbeat') });

/** One schema per message the agent sends, in the order docs/agent.md lists them. */
export const agentMessageSchemas = { reply, accepted, progress, log, done, error, heartbeat } as const;

/** Everything an agent sends. The bot parses every frame with this; what does not fit is dropped and logged. */
export const agentMessageSchema = z.discriminatedUnion('op', [reply, accepted, progress, log, done, error, heartbeat]);
export type AgentMessage = z.output<typeof agentMessageSchema>;
/** What a request resolves with: its `reply`, or `accepted` for burn and run. */
export type AnswerMessage = Extract<AgentMessage, { op: 'reply' | 'accepted' }>;
