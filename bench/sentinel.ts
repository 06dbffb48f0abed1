import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { BullBurnQueue } from '../src/services/queue/bullmq.js';
import { startSentinelSet } from '../test/helpers/redis-sentinel.js';
import { limitRow, type Bench } from './report.js';

const LIMIT_MS = 10_000;

/**
 * Redis under Sentinel (docs/hosting.md): a primary, a replica and three sentinels (down after
 * 1 s). A queue made from the config as `opsline start` makes it asks for a burn every 50 ms; the
 * primary is SIGKILLed, and the row is the time from the kill to the next burn queued (replica
 * promoted, every client reconnected to it). No baseline: the target is a limit.
 */
export const sentinelBench: Bench = {
  name: 'sentinel',
  description: 'Redis primary SIGKILLed under Sentinel: kill → the next job queued on the promoted replica',
  async run() {
    const set = await startSentinelSet();
    const log = pino({ level: 'silent' });
    const queue = new BullBurnQueue({ ...set.redis, prefix: `opsline-bench-${randomBytes(4).toString('hex')}`, lockDurationMs: 30_000, stalledIntervalMs: 15_000, log });
    const requester = { key: 'console:bench', name: 'bench' };
    const data = { agent: 'a1', drive: 'd1', image: 'x.iso', verify: true, requester, thread: { platform: 'console', channel: 'c', rootId: 'r', requester }, requestedAt: new Date().toISOString() };
    let n = 0;
    const add = () => queue.add(`b${String(++n).padStart(6, '0')}`, data).then(() => true, () => false);
    try {
      for (let i = 0; i < 20; i++) if (!(await add())) throw new Error('the queue did not take jobs before the kill');
      set.killPrimary();
      const killed = performance.now();
      let recovered = NaN;
      while (performance.now() - killed < 3 * LIMIT_MS) {
        if (await add()) {
          recovered = performance.now() - killed;
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      await set.promoted();
      return [limitRow('sentinel failover: kill → next job queued', recovered, 'ms', LIMIT_MS, `< ${LIMIT_MS / 1000} s`, (v) => v < LIMIT_MS)];
    } finally {
      await queue.close().catch(() => undefined);
      await set.stop();
    }
  },
};
