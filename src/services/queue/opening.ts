import { z } from 'zod';

/**
 * A job's opening (JobQueue.opening): written to Redis by the replica that posted the job's thread, read
 * by every replica's sweep (src/jobs/unqueued.ts). Read back like anything from outside the process
 * (docs/architecture.md, "Job lifecycle"): a record that does not fit is dropped, never trusted.
 */

/** An opening as opening() writes it: when, and the job's data in its kind's schema. */
export function openingSchema<D>(data: z.ZodType<D>) {
  return z.object({ at: z.number().int().nonnegative(), data });
}

/** Parses one opening record; what does not read says why, in a few words (for the log, never the record itself). */
export function parseOpening<D>(raw: string, schema: z.ZodType<{ at: number; data: D }>): { ok: true; value: { at: number; data: D } } | { ok: false; problem: string } {
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
