import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stopWithin } from '../../src/cli/signals.js';

const silent = pino({ level: 'silent' });

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** The 10 s is the subject: a fake clock the test moves, and process.exit recorded instead of run. */
function fakeClockAndExit() {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  return vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
}

describe('stopWithin (docs/architecture.md, "Stopping": the whole stop is bounded by 10 s)', () => {
  it('exits 1 when the graceful stop is still running at 10 s, and not a moment before', async () => {
    const exit = fakeClockAndExit();
    let finish!: () => void;
    const stopping = stopWithin(silent, () => new Promise<void>((resolve) => (finish = resolve)));
    await vi.advanceTimersByTimeAsync(9_999);
    expect(exit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(exit).toHaveBeenCalledWith(1);
    // Let it end, so its signal handlers are removed from this process.
    finish();
    await stopping;
  });

  it('returns 0 for a stop that ends in time, and exits at no deadline afterwards', async () => {
    const exit = fakeClockAndExit();
    expect(await stopWithin(silent, async () => undefined)).toBe(0);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(exit).not.toHaveBeenCalled();
  });
});
