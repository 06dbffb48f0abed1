import { describe, expect, it } from 'vitest';
import { digestMilestone, RateSmoother, renderProgress } from '../../src/jobs/progress.js';

const MB = 1_000_000;

describe('progress', () => {
  it('smooths a jumpy rate so speed and ETA move steadily, and starts over with each phase', () => {
    const s = new RateSmoother(0.2);
    const at = (bytes: number, rate: number, phase: 'writing' | 'verifying' = 'writing') => s.update({ phase, bytes, total: 10 * MB, rate });
    expect(at(1 * MB, 1 * MB).rate).toBe(1 * MB);
    // A reading of 5 MB/s moves the average a fifth of the way, not all the way.
    expect(at(2 * MB, 5 * MB).rate).toBeCloseTo(1.8 * MB);
    expect(renderProgress(at(3 * MB, 0.2 * MB))).toBe('writing ██████░░░░░░░░░░░░░░ 30% · 3.0/10.0 MB · 1.5 MB/s · ETA 0:05');
    expect(at(1 * MB, 4 * MB, 'verifying').rate).toBe(4 * MB);
  });

  it('keeps the verify lines within 80 columns under a thread mark', () => {
    const a = 'a'.repeat(64);
    for (const text of [digestMilestone(a, a), digestMilestone(a, 'b'.repeat(64))])
      for (const line of text.split('\n')) expect(`   #12 │ ${line}`.length).toBeLessThanOrEqual(80);
    expect(digestMilestone(a, a)).toBe(`verified ✔ the disc matches the image\nsha256 ${a}`);
  });
});
