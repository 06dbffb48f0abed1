import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BullBurnQueue } from '../../src/services/queue/bullmq.js';
import { MemoryBurnQueue } from '../../src/services/queue/memory.js';
import type { BurnJobData, BurnQueue } from '../../src/services/queue/types.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const queues: [string, () => BurnQueue][] = [
  ['memory', () => new MemoryBurnQueue()],
  [
    'BullMQ',
    () => {
      const p = redisPrefix();
      const q = new BullBurnQueue({ url: REDIS_URL, prefix: p.prefix, lockDurationMs: 4000, stalledIntervalMs: 1000, log: pino({ level: 'silent' }) });
      cleanups.push(() => p.cleanup(), () => q.close());
      return q;
    },
  ],
];

const requester = { key: 'console:op', name: 'op' };
const data = (drive: string): BurnJobData => ({ agent: 'a1', drive, image: 'x.iso', verify: true, requester, thread: { platform: 'test', channel: 'c', rootId: 'r', requester }, requestedAt: new Date().toISOString() });

describe.each(queues)('job history on the %s queue', (_name, make) => {
  it('lists ended jobs newest first with when they started and ended, and leaves out the queued', async () => {
    const q = make();
    q.work(['a1.d1', 'a1.d2'], async (id, d) => {
      if (d.drive === 'd2') throw new Error('drive on fire');
      return { outcome: 'ok', ok: true, message: 'done', image: d.image, drive: d.drive, verified: true, ejected: true, startedAt: new Date().toISOString(), finishedAt: new Date().toISOString() };
    });
    await q.add('bfirst1', data('d1'));
    await until(async () => (await q.get('bfirst1'))?.state === 'finished');
    await q.add('bsecond', data('d2'));
    await until(async () => (await q.get('bsecond'))?.state === 'failed');
    await q.add('bqueued', data('d3'));
    const h = await q.history!(10);
    expect(h.map((j) => `${j.id} ${j.state}`)).toEqual(['bsecond failed', 'bfirst1 finished']);
    for (const j of h) {
      expect(j.startedAt).toBeTypeOf('number');
      expect(j.endedAt! >= j.startedAt!).toBe(true);
    }
    expect(h[1]?.result?.ok).toBe(true);
    expect(await q.history!(1)).toHaveLength(1);
  });
});
