import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BullJobQueue } from '../../../src/services/queue/bull-jobs.js';
import type { JobKind, JobQueue } from '../../../src/services/queue/jobs.js';
import { MemoryJobQueue } from '../../../src/services/queue/memory-jobs.js';
import { REDIS_URL, redisPrefix } from '../../helpers/redis.js';
import { until } from '../../helpers/until.js';

type Data = { lane: string; n: number };
const kind: JobKind<Data, number> = { name: 'lc', lane: (d) => d.lane, data: z.object({ lane: z.string(), n: z.number() }) };
/** Lane `many` runs two jobs at once (as the declared run commands' lane does), every other lane one. */
const laneConcurrency = (lane: string) => (lane === 'many' ? 2 : 1);

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Jobs held until released, with the most that ran at once on each lane. */
function heldJobs() {
  const running = new Map<string, number>();
  const most = new Map<string, number>();
  const started: number[] = [];
  const releases = new Map<number, () => void>();
  const processor = async (_id: string, d: Data): Promise<number> => {
    running.set(d.lane, (running.get(d.lane) ?? 0) + 1);
    most.set(d.lane, Math.max(most.get(d.lane) ?? 0, running.get(d.lane)!));
    started.push(d.n);
    await new Promise<void>((r) => releases.set(d.n, r));
    running.set(d.lane, running.get(d.lane)! - 1);
    return d.n;
  };
  const release = (n: number) => releases.get(n)!();
  return { processor, started, most, release };
}

const queues: [string, () => JobQueue<Data, number, object>[]][] = [
  ['memory', () => [new MemoryJobQueue<Data, number, object>(kind, laneConcurrency)]],
  [
    'BullMQ, two worker processes',
    () => {
      const p = redisPrefix();
      const make = () => new BullJobQueue<Data, number, object>({ url: REDIS_URL, prefix: p.prefix, lockDurationMs: 30_000, stalledIntervalMs: 15_000, laneConcurrency, log: pino({ level: 'silent' }) }, kind);
      const qs = [make(), make()];
      cleanups.push(p.cleanup, ...qs.map((q) => () => q.close()));
      return qs;
    },
  ],
];

describe.each(queues)('lane concurrency on the %s queue', (_name, make) => {
  it('runs two jobs of a lane that allows two, and the third only when one ends; a lane of one runs one', async () => {
    const qs = make();
    const h = heldJobs();
    for (const q of qs) q.work(['many', 'one'], h.processor);
    for (const n of [1, 2, 3]) await qs[0]!.add(`lc-m${n}`, { lane: 'many', n });
    for (const n of [11, 12]) await qs[0]!.add(`lc-o${n}`, { lane: 'one', n });
    await until(() => h.started.includes(1) && h.started.includes(2) && h.started.includes(11));
    expect((await qs[0]!.get('lc-m3'))?.state).toBe('queued');
    expect((await qs[0]!.get('lc-o12'))?.state).toBe('queued');
    h.release(1);
    h.release(11);
    await until(() => h.started.includes(3) && h.started.includes(12));
    for (const n of [2, 3, 12]) h.release(n);
    await until(async () => (await qs[0]!.get('lc-m3'))?.state === 'finished');
    // Across every process: never more at once than the lane allows.
    expect([h.most.get('many'), h.most.get('one')]).toEqual([2, 1]);
  });
});
