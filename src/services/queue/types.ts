import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { threadRefSchema, type ThreadRef } from '../../core/thread.js';
import { principalSchema, type Principal } from '../../core/principal.js';
import { AGENT_NAME, DRIVE_NAME, IMAGE_MAX_LENGTH, IMAGE_NAME } from '../../words/names.js';
import type { BurnResult, Progress } from '../devices/types.js';
import { burnResultSchema } from '../../protocol/index.js';
import type { JobKind, JobProcessor, JobQueue, JobState, JobView } from './jobs.js';

/** Everything a worker in any process needs to run and report one burn. Serialisable. */
export interface BurnJobData {
  readonly agent: string;
  readonly drive: string;
  readonly image: string;
  readonly verify: boolean;
  readonly requester: Principal;
  readonly thread: ThreadRef;
  readonly requestedAt: string;
}

export type BurnJobState = JobState;
export type BurnJobView = JobView<BurnJobData, BurnResult, Progress>;
/** Runs one burn to its end and returns the agent's result; throws when the job cannot finish. */
export type BurnProcessor = JobProcessor<BurnJobData, BurnResult, Progress>;
/** One lane per drive (`<agent>.<drive>`), one job at a time on each; ids are unique across drives. */
export type BurnQueue = JobQueue<BurnJobData, BurnResult, Progress>;

/** A burn's data as read back from Redis (an opening): each name is the word it is (src/words/names.ts). */
export const burnJobDataSchema = z.object({
  agent: z.string().regex(AGENT_NAME),
  drive: z.string().regex(DRIVE_NAME),
  image: z.string().max(IMAGE_MAX_LENGTH).regex(IMAGE_NAME),
  verify: z.boolean(),
  requester: principalSchema,
  thread: threadRefSchema,
  requestedAt: z.string().max(40),
}) satisfies z.ZodType<BurnJobData>;

export const BURN_KIND: JobKind<BurnJobData, BurnResult> = { name: 'burn', lane: (d) => burnLane(d.agent, d.drive), data: burnJobDataSchema, result: burnResultSchema };

export function burnLane(agent: string, drive: string): string {
  return `${agent}.${drive}`;
}

/** The lanes of the given drives, for `BurnQueue.work`. */
export function burnLanes(drives: readonly { agent: string; drive: string }[]): string[] {
  return drives.map((d) => burnLane(d.agent, d.drive));
}

/** A short id people can type: `b` (burn) or another kind letter, and six lower-case letters or digits. */
export function newJobId(kind = 'b'): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  let id = kind;
  for (let i = 0; i < 6; i++) id += alphabet[randomInt(alphabet.length)];
  return id;
}
