import type { Job } from 'bullmq';

const PROGRESS_EVERY_MS = 1000;

/**
 * Stores progress on the job at most once a second, for status from any process; `final` progress
 * and a new phase always land (a worker that takes the job over announces the phases after it).
 */
export function throttle<D, P extends object>(job: Job<D>): (p: P) => void {
  let last = 0;
  let phase: unknown;
  return (p) => {
    const now = Date.now();
    const final = 'bytes' in p && 'total' in p && p.bytes === p.total;
    const next = 'phase' in p ? p.phase : undefined;
    if (now - last < PROGRESS_EVERY_MS && !final && next === phase) return;
    last = now;
    phase = next;
    void job.updateProgress({ ...p }).catch(() => undefined);
  };
}
