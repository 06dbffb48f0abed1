import { z } from 'zod';
import { DURATION_HINT, readDuration } from '../words/duration.js';

/** A config value that is one of opsline's words (src/words/names.ts), refused with what the word allows. */
export function wordSchema(pattern: RegExp, allows: string): z.ZodString {
  return z.string().regex(pattern, allows);
}

/**
 * A duration in the one grammar (src/words/duration.ts: `90s`, `30m`, `2h`, `1d`), as milliseconds,
 * at least `minMs`. With a default, use `.prefault('5m')` so the default is read by the same grammar.
 */
export function duration(minMs = 1, maxMs?: number) {
  return z.string().transform((text, ctx) => {
    const r = readDuration(text, minMs, maxMs);
    if (r.ok) return r.ms;
    ctx.addIssue({ code: 'custom', message: r.problem === 'grammar' ? `a duration: ${DURATION_HINT}` : `a duration of at ${r.problem === 'below' ? 'least' : 'most'} ${r.limit}` });
    return z.NEVER;
  });
}
