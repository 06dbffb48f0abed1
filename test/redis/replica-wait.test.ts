import { afterEach, describe, expect, it } from 'vitest';
import { BullBurnQueue } from '../../src/services/queue/bullmq.js';
import { captureLog } from '../helpers/log-capture.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { startSentinelSet } from '../helpers/redis-sentinel.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const requester = { key: 'console:ann', name: 'ann' };
const data = { agent: 'a1', drive: 'd1', image: 'x.iso', verify: true, requester, thread: { platform: 'console', channel: 'c', rootId: 'r', requester }, requestedAt: new Date().toISOString() };

// A "queued" reply with redis.replicaWaitMs (docs/hosting.md): the job is on a replica before the reply.
describe('BullJobQueue.add with redis.replicaWaitMs', () => {
  it('returns once a replica holds the job', async () => {
    const set = await startSentinelSet({ sentinels: false });
    cleanups.push(() => set.stop());
    const cap = captureLog();
    const queue = new BullBurnQueue({ url: `redis://127.0.0.1:${set.primaryPort}`, prefix: 'opsline-t', replicaWaitMs: 1000, lockDurationMs: 4000, stalledIntervalMs: 1000, log: cap.log });
    cleanups.push(() => queue.close());
    await queue.add('bwait01', data);
    expect(await set.raw(set.replicaPort).exists('opsline-t:burn.a1.d1:bwait01')).toBe(1);
    expect(cap.lines.join('')).not.toMatch(/replica/);
  });

  it('says in the log that the job lives on the primary alone when no replica answers in time', async () => {
    const p = redisPrefix();
    cleanups.push(p.cleanup);
    const cap = captureLog();
    // The shared test Redis has no replica: WAIT 1 ends after its 100 ms with none.
    const queue = new BullBurnQueue({ url: REDIS_URL, prefix: p.prefix, replicaWaitMs: 100, lockDurationMs: 4000, stalledIntervalMs: 1000, log: cap.log });
    cleanups.push(() => queue.close());
    await queue.add('bwait02', data);
    expect(await cap.waitFor(/no replica acknowledged it in time/)).toMatch(/"jobId":"bwait02"/);
  });
});
