/**
 * The one duration grammar (docs/configuration.md, "Durations"): a whole number and a unit, ms, s, m, h or d
 * (`90s`, `30m`, `2h`, `1d`). Commands (`/access grant … 2h`) and config (`every: 90s`, `approvalTtl: 15m`)
 * both read durations with it.
 */
export const DURATION = /^([1-9]\d{0,6})(ms|s|m|h|d)$/;
export const DURATION_MAX_LENGTH = 9;
export const DURATION_HINT = 'a whole number and a unit (ms, s, m, h or d), such as 90s, 30m, 2h or 1d';

const UNIT_MS = new Map([
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
]);

export type DurationResult =
  | { readonly ok: true; readonly ms: number }
  | { readonly ok: false; readonly problem: 'grammar' }
  | { readonly ok: false; readonly problem: 'below' | 'above'; readonly limit: string };

/** `30m` → 1 800 000, or why it is not a duration here: not in the grammar, or outside [minMs, maxMs]. */
export function readDuration(text: string, minMs = 1, maxMs = Number.MAX_SAFE_INTEGER): DurationResult {
  const m = DURATION.exec(text);
  const ms = m ? Number(m[1]) * (UNIT_MS.get(m[2] ?? '') ?? 0) : undefined;
  if (ms === undefined) return { ok: false, problem: 'grammar' };
  if (ms < minMs) return { ok: false, problem: 'below', limit: durationText(minMs) };
  if (ms > maxMs) return { ok: false, problem: 'above', limit: durationText(maxMs) };
  return { ok: true, ms };
}

/** The one message for a duration that does not read, after the value's name: `every must be …`. */
export function durationError(r: Exclude<DurationResult, { ok: true }>): string {
  if (r.problem === 'grammar') return `must be ${DURATION_HINT}`;
  return `must be at ${r.problem === 'below' ? 'least' : 'most'} ${r.limit}`;
}

/** A duration in the grammar that reads back as exactly `ms`: 5400000 → `90m`, 86400000 → `24h`. */
export function durationText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** 5400000 → `1h 30m`, rounded for people; seconds only below a minute. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  const minutes = Math.round(ms / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : ''].filter(Boolean).join(' ') || '0m';
}
