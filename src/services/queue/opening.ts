import { z } from 'zod';
import { principalSchema, type Principal } from '../../core/principal.js';

/**
 * A job's opening (JobQueue.intend, JobQueue.opening): written to Redis by the replica that is posting
 * the job's thread, before it posts it, read by every replica's sweep (src/jobs/unqueued.ts). Read back
 * like anything from outside the process (docs/architecture.md, "Job lifecycle"): a record that does
 * not fit is dropped, never trusted.
 */

/** Where a job's thread is about to be posted, and for whom: what the sweep needs to tell that channel. */
export interface JobIntent {
  readonly platform: string;
  readonly channel: string;
  readonly requester: Principal;
  /** What was asked, in a few words ("deploy of site v1"). */
  readonly what: string;
}

export const jobIntentSchema = z.object({
  platform: z.string().min(1).max(32),
  channel: z.string().min(1).max(200),
  requester: principalSchema,
  what: z.string().max(300),
}) satisfies z.ZodType<JobIntent>;

/**
 * An opening as it is written: when (refreshed while the thread is being posted), the intent, and
 * once the thread is posted the job's data (with its thread) in its kind's schema. A record of an
 * older version has the data alone.
 */
export interface OpeningRecord<D> {
  readonly at: number;
  readonly intent?: JobIntent;
  readonly data?: D;
}

export function openingSchema<D>(data: z.ZodType<D>): z.ZodType<OpeningRecord<D>> {
  return z
    .object({ at: z.number().int().nonnegative(), intent: jobIntentSchema.optional(), data: data.optional() })
    .refine((r) => r.intent !== undefined || r.data !== undefined, 'an opening has an intent or data') as unknown as z.ZodType<OpeningRecord<D>>;
}

/** An opening the sweep found: `raw` is what it read, so that its claim loses to a refresh. */
export interface StaleOpening<D> {
  readonly id: string;
  readonly raw: string;
  readonly intent?: JobIntent;
  readonly data?: D;
}

/** Parses one opening record; what does not read says why, in a few words (for the log, never the record itself). */
export function parseOpening<D>(raw: string, schema: z.ZodType<OpeningRecord<D>>): { ok: true; value: OpeningRecord<D> } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, problem: 'not JSON' };
  }
  const r = schema.safeParse(json);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, problem: r.error.issues.slice(0, 3).map((i) => `${i.path.map(String).join('.') || '(record)'}: ${i.message}`).join('; ').slice(0, 300) };
}

