import { describe, expect, it } from 'vitest';
import { BackgroundStatusService } from '../../src/services/status-background.js';
import { MemoryStatusRefresher, MemoryStatusSnapshots } from '../../src/services/memory/status-snapshots.js';
import type { StatusCount, StatusReport } from '../../src/core/ports.js';
import type { TasksRepository } from '../../src/services/types.js';

/** A task table whose counts arrive when the test says (or fail). */
class GatedTasks implements TasksRepository {
  readonly hasTimeColumn = false;
  asked = 0;
  #gates: { resolve: (c: StatusCount[]) => void; reject: (e: Error) => void }[] = [];
  countByStatus(): Promise<StatusCount[]> {
    this.asked++;
    return new Promise((resolve, reject) => this.#gates.push({ resolve, reject }));
  }
  /** Resolves once the count has been asked for `n` times (the refresher reads the store first). */
  async asks(n: number): Promise<void> {
    while (this.asked < n) await new Promise((r) => setImmediate(r));
  }
  answer(counts: StatusCount[]): void {
    for (const g of this.#gates.splice(0)) g.resolve(counts);
  }
  fail(message: string): void {
    for (const g of this.#gates.splice(0)) g.reject(new Error(message));
  }
}

function world(now = () => new Date()) {
  const tasks = new GatedTasks();
  const snapshots = new MemoryStatusSnapshots(now);
  const refresher = new MemoryStatusRefresher(tasks, snapshots, now);
  const opts = { doneStatuses: ['Success'], refreshMs: 60_000, refreshTimeoutMs: 60_000, retentionMs: 86_400_000, hasTimeColumn: true, now };
  return { tasks, snapshots, service: () => new BackgroundStatusService(snapshots, refresher, opts) };
}

describe('background counts (in memory, as in the demo)', () => {
  it('counts once for two services sharing one store, and answers both from it', async () => {
    const w = world();
    const [a, b] = [w.service(), w.service()];
    const ra = a.refreshNow('all');
    await w.tasks.asks(1);
    expect(await b.refreshNow('all')).toEqual({ kind: 'busy' });
    w.tasks.answer([{ status: 'Success', count: 3 }]);
    expect((await ra).kind).toBe('refreshed');
    expect(await b.refreshNow('all')).toEqual({ kind: 'fresh' });
    expect(w.tasks.asked).toBe(1);
    for (const s of [a, b]) expect(await s.report('all')).toMatchObject({ total: 3, done: 3, counts: [{ status: 'Success', count: 3 }] });
  });

  it('a cold answer is "counting" until the first count ends; later answers say the age', async () => {
    let clock = new Date('2026-12-05T12:00:00Z');
    const w = world(() => clock);
    const s = w.service();
    const first = await s.answer('all', 1);
    if (!('counting' in first)) throw new Error('expected a cold start');
    w.tasks.answer([{ status: 'Failed', count: 2 }]);
    expect(await first.counting).toMatchObject({ total: 2, done: 0 });
    clock = new Date(clock.getTime() + 7_000);
    expect(await s.answer('all', 1)).toMatchObject({ total: 2, ageMs: 7_000 });
  });

  it("after midnight, yesterday's today is not an answer: today is counted again", async () => {
    let clock = new Date(2026, 11, 5, 23, 59, 50); // local time, as the today window is
    const w = world(() => clock);
    const s = w.service();
    const first = s.refreshNow('today');
    await w.tasks.asks(1);
    w.tasks.answer([{ status: 'Success', count: 5 }]);
    await first;
    clock = new Date(2026, 11, 6, 0, 0, 10);
    const r = await s.answer('today', 1);
    if (!('counting' in r)) throw new Error(`answered from yesterday's counts: ${JSON.stringify(r)}`);
    await w.tasks.asks(2);
    w.tasks.answer([{ status: 'Failed', count: 1 }]);
    expect(await r.counting).toMatchObject({ window: 'today', total: 1 });
  });

  it('says why counts are old when the latest count failed', async () => {
    let clock = new Date('2026-12-05T12:00:00Z');
    const w = world(() => clock);
    const s = w.service();
    const ok = s.refreshNow('all');
    await w.tasks.asks(1);
    w.tasks.answer([{ status: 'Success', count: 1 }]);
    await ok;
    clock = new Date(clock.getTime() + 120_000);
    const failing = s.refreshNow('all');
    await w.tasks.asks(2);
    w.tasks.fail('boom');
    await expect(failing).rejects.toThrow('boom');
    const r: StatusReport = await s.report('all');
    expect(r).toMatchObject({ total: 1, ageMs: 120_000, staleBecause: 'the count failed (see the log)' });
  });
});
