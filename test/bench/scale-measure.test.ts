import { describe, expect, it } from 'vitest';
import { allowedStatusAgeMs, endedRight, peakActive, statusAgeMs, worstStatusAge, type BurnTrace } from '../../bench/scale/measure.js';
import { digestMilestone } from '../../src/jobs/progress.js';

const SHA = 'ab'.repeat(32);
const target = (drive: string) => ({ image: 'scale-a1.iso', agent: 'a1', drive, sha256: SHA });
const MB = 1_000_000;

/** A burn the agent reported at 0, 1 000 and 2 000 ms (1, 2, 3 MB) and finished at 3 000 ms. */
function trace(drive: string, edits: [number, string][], offset = 0): BurnTrace {
  return {
    target: target(drive),
    posts: [],
    edits: edits.map(([at, text]) => ({ at: at + offset, text })),
    timeline: {
      progress: [0, 1, 2].map((i) => ({ at: offset + i * 1000, phase: 'writing', bytes: (i + 1) * MB })),
      doneAt: offset + 3000,
    },
  };
}

describe('the scale bench measures', () => {
  it('ages each reported step until an edit showing it, or a later one, lands', () => {
    const t = trace('d1', [
      [500, 'writing ██ 10% · 1.0/3.0 MB'],
      // The 2 MB step (at 1 000) is skipped; the 3 MB edit shows it, 2 600 ms after it was reported.
      [3600, 'writing ████ 100% · 3.0/3.0 MB · 0.1 MB/s'],
      [3700, '✔ done in 0:04'],
    ]);
    expect(statusAgeMs(t, 10_000)).toBe(2600);
  });

  it('ages a step no edit ever showed until the end of the run', () => {
    expect(statusAgeMs(trace('d1', [[100, 'writing 1.0/3.0 MB']]), 9_000)).toBe(9_000 - 1000);
  });

  it('gives a burn a bigger allowance the more burns share the budget', () => {
    expect(allowedStatusAgeMs(20, { perMinute: 45 }, 1500)).toBe(Math.ceil((20 * 60_000) / 45) + 1500 + 2000);
    expect(allowedStatusAgeMs(1, { perMinute: 2400, perThreadPerMinute: 48 }, 2000)).toBe(1250 + 2000 + 2000);
  });

  it('counts the burns live at once during a burn', () => {
    const a = trace('d1', [], 0);
    const b = trace('d2', [], 2_000);
    const c = trace('d3', [], 10_000);
    expect([a, b, c].map((t) => peakActive(t, [a, b, c], 20_000))).toEqual([2, 2, 1]);
  });

  it('picks the burn stalest for its allowance, among those that ran', () => {
    const fresh = trace('d1', [[3100, '✔ done']]);
    const stale = trace('d2', [[9000, '✔ done']]);
    const never: BurnTrace = { target: target('d3'), posts: [], edits: [] };
    expect(worstStatusAge([fresh, stale, never], { perMinute: 45 }, 1500, 10_000)).toMatchObject({ drive: 'd2', ageMs: 9000, ran: 2 });
  });

  it('wants the final mention and the digest of the very image', () => {
    const posts = ['writing scale-a1.iso to d1', digestMilestone(SHA, SHA), '<@UOP> burn of scale-a1.iso on d1 finished ✔ (verified)'];
    expect(endedRight({ target: target('d1'), posts, edits: [] }, '<@UOP>')).toBe(true);
    expect(endedRight({ target: target('d1'), posts: posts.slice(0, 2), edits: [] }, '<@UOP>')).toBe(false);
    expect(endedRight({ target: { ...target('d1'), sha256: 'cd'.repeat(32) }, posts, edits: [] }, '<@UOP>')).toBe(false);
  });
});
