/**
 * A rate as the generic cell rate algorithm (GCRA) sees it: one call every `intervalMs`, with up to
 * `burst` calls at once after a quiet spell. It behaves like a token bucket of `burst` tokens
 * refilled one per interval, but needs one stored number per key: the theoretical arrival time (TAT).
 */
export interface Rate {
  readonly intervalMs: number;
  readonly burst: number;
}

/** `n` calls a minute, `burst` at once. */
export function perMinute(n: number, burst: number): Rate {
  return { intervalMs: 60_000 / n, burst };
}

/**
 * Reserves the next call: when it may go (`waitMs` from `now`) and the new TAT to store. A
 * reservation is always granted, in the future if need be, so callers queue in the order they ask
 * instead of polling and racing one another (docs/rate-limits.md).
 */
export function reserve(storedTat: number | undefined, now: number, rate: Rate): { tat: number; waitMs: number } {
  const tat = Math.max(storedTat ?? now, now);
  const goAt = tat - (rate.burst - 1) * rate.intervalMs;
  return { tat: tat + rate.intervalMs, waitMs: Math.max(0, goAt - now) };
}

/** After the platform said "wait `ms`" (429 Retry-After): the TAT that makes the next call wait that long. */
export function penalize(storedTat: number | undefined, now: number, rate: Rate, ms: number): number {
  return Math.max(storedTat ?? now, now + ms + (rate.burst - 1) * rate.intervalMs);
}
