import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { penalize, perMinute, reserve, type Rate } from '../../../src/services/budget/gcra.js';

/** Reserves `n` calls all asked at `now`; returns when each may go. */
function goTimes(n: number, rate: Rate, now = 0, tat?: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = reserve(tat, now, rate);
    tat = r.tat;
    out.push(now + r.waitMs);
  }
  return out;
}

describe('GCRA reservations', () => {
  it('lets a burst go at once, then one call per interval', () => {
    expect(goTimes(5, { intervalMs: 1000, burst: 2 })).toEqual([0, 0, 1000, 2000, 3000]);
  });

  it('never lets more than burst + window/interval calls into any window, however calls are asked', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 4 }), (asks, burst) => {
        const rate: Rate = { intervalMs: 1000, burst };
        let tat: number | undefined;
        const go = [...asks].sort((a, b) => a - b).map((at) => {
          const r = reserve(tat, at, rate);
          tat = r.tat;
          return at + r.waitMs;
        });
        // Any 5 s window holds at most burst + 4 calls (the token bucket's bound for 1 call/s).
        for (const start of go) expect(go.filter((t) => t >= start && t < start + 5000).length).toBeLessThanOrEqual(burst + 4);
      }),
    );
  });

  it('after a 429 holds every call for Retry-After, then paces again', () => {
    const rate = perMinute(60, 2);
    const tat = penalize(undefined, 0, rate, 30_000);
    expect(goTimes(3, rate, 0, tat)).toEqual([30_000, 31_000, 32_000]);
  });
});
