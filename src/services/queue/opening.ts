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
 * An opening as it is written: a lease token (each change the request makes checks it, src/services/queue/openings.ts),
 * the intent, and once the thread is posted the job's data (with its thread) in its kind's schema. When it was
 * last written or refreshed is kept beside it, in Redis's own clock.
 */
export interface OpeningRecord<D> {
  readonly lease: string;
  readonly intent?: JobIntent;
  readonly data?: D;
}

export function openingSchema<D>(data: z.ZodType<D>): z.ZodType<OpeningRecord<D>> {
  return z
    .object({ lease: z.string().min(1).max(64), intent: jobIntentSchema.optional(), data: data.optional() })
    .refine((r) => r.intent !== undefined || r.data !== undefined, 'an opening has an intent or data') as unknown as z.ZodType<OpeningRecord<D>>;
}

/** An opening written by a version before intents (`<prefix>:<kind>:opening`, its own clock): read during a rolling upgrade. */
export interface LegacyOpening<D> {
  readonly at: number;
  readonly data: D;
}

export function legacyOpeningSchema<D>(data: z.ZodType<D>): z.ZodType<LegacyOpening<D>> {
  return z.object({ at: z.number().int().nonnegative(), data }) as unknown as z.ZodType<LegacyOpening<D>>;
}

/** An opening the sweep found: `raw` and `at` are what it read, so that its claim loses to any change meanwhile. */
export interface StaleOpening<D> {
  readonly id: string;
  readonly raw: string;
  readonly at: string;
  /** Written by an older version, under the old key. */
  readonly legacy: boolean;
  readonly intent?: JobIntent;
  readonly data?: D;
}

/** Parses one opening record; what does not read says why, in a few words (for the log, never the record itself). */
export function parseOpening<T>(raw: string, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; problem: string } {
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
