import { describe, expect, it } from 'vitest';
import type { StatusCount } from '../../src/core/ports.js';
import { refreshLead, TaskStatusService } from '../../src/services/status.js';

/** A status table whose every count waits until the test ends it, and a clock the test moves. */
function world(cacheMs: number) {
  let clock = 1_000_000;
  const warned: string[] = [];
  const counts: { resolve: (rows: StatusCount[]) => void; reject: (e: Error) => void }[] = [];
  const repo = {
    hasTimeColumn: false,
    countByStatus: () => new Promise<StatusCount[]>((resolve, reject) => counts.push({ resolve, reject })),
  };
  const log = { warn: (...a: unknown[]) => void warned.push(String(a[1])) };
  const service = new TaskStatusService(repo, { doneStatuses: ['Success'], cacheMs, now: () => new Date(clock), log });
  const settle = async (n: number, rows: StatusCount[]) => {
    counts[n]!.resolve(rows);
    await new Promise((r) => setImmediate(r));
  };
  return { service, counts, settle, warned, tick: (ms: number) => (clock += ms) };
}
const rows = (success: number): StatusCount[] => [{ status: 'Success', count: success }];

describe('/status on demand with cacheMs: the next count starts before the cached answer runs out', () => {
  it('answers from the cache at once near its end and counts again in the background; the new count serves after', async () => {
    const w = world(1000);
    const first = w.service.report('all');
    w.tick(40);
    await w.settle(0, rows(5));
    expect((await first).total).toBe(5);
    // Early in the cached answer's life: no new count.
    w.tick(600);
    expect((await w.service.report('all')).total).toBe(5);
    expect(w.counts.length).toBe(1);
    // In its last quarter: the cached answer at once, and one count (however many callers) started.
    w.tick(200);
    const near = await Promise.all([w.service.report('all'), w.service.report('all')]);
    expect([near.map((r) => r.total), w.counts.length]).toEqual([[5, 5], 2]);
    await w.settle(1, rows(7));
    // Past the first answer's end: the new count, without asking the table again.
    w.tick(300);
    expect([(await w.service.report('all')).total, w.counts.length]).toEqual([7, 2]);
  });

  it('a caller past the end while the early count runs waits for that count, and its failure is theirs, not lost', async () => {
    const w = world(1000);
    const first = w.service.report('all');
    await w.settle(0, rows(5));
    await first;
    w.tick(900);
    expect((await w.service.report('all')).total).toBe(5);
    w.tick(200);
    const late = w.service.report('all');
    expect(w.counts.length).toBe(2);
    w.counts[1]!.reject(new Error('database unavailable'));
    await expect(late).rejects.toThrow('database unavailable');
    // The next caller asks again.
    const again = w.service.report('all');
    await w.settle(2, rows(6));
    expect((await again).total).toBe(6);
  });

  it('a count ahead that fails is logged once, no other starts before the cached answer ends, and the next caller past it counts again', async () => {
    const w = world(1000);
    const first = w.service.report('all');
    await w.settle(0, rows(5));
    await first;
    w.tick(800);
    expect((await w.service.report('all')).total).toBe(5);
    w.counts[1]!.reject(new Error('database unavailable'));
    await new Promise((r) => setImmediate(r));
    expect(w.warned).toEqual(["the /status count started ahead of the cache's end failed; the next answer past its end counts again"]);
    // Still within the cached answer's life: served from it, and no new count.
    w.tick(100);
    expect([(await w.service.report('all')).total, w.counts.length]).toEqual([5, 2]);
    // Past its end: the caller counts.
    w.tick(200);
    const late = w.service.report('all');
    expect(w.counts.length).toBe(3);
    await w.settle(2, rows(8));
    expect((await late).total).toBe(8);
  });

  it('starts a slow table\'s next count earlier, up to half of cacheMs', () => {
    expect([refreshLead(1000, 10), refreshLead(1000, 200), refreshLead(1000, 900)]).toEqual([250, 400, 500]);
  });

  it('without cacheMs, every request counts (shared while one runs)', async () => {
    const w = world(0);
    const a = w.service.report('all');
    const b = w.service.report('all');
    await w.settle(0, rows(1));
    expect([(await a).total, (await b).total]).toEqual([1, 1]);
    const c = w.service.report('all');
    expect(w.counts.length).toBe(2);
    await w.settle(1, rows(2));
    expect((await c).total).toBe(2);
  });
});
