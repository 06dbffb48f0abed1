import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BullBurnQueue } from '../../../src/services/queue/bullmq.js';
import { REDIS_URL, redisPrefix } from '../../helpers/redis.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const requester = { key: 'console:ann', name: 'ann' };
const job = (drive: string) => ({ agent: 'a1', drive, image: 'x.iso', verify: true, requester, thread: { platform: 'console', channel: 'c', rootId: 'r', requester }, requestedAt: new Date().toISOString() });

/** This process's connections of one kind's queue: opsline's (named per pid) and BullMQ's blocking ones (named after the prefix). */
async function connectionsOf(admin: Redis, prefix: string): Promise<{ opsline: string[]; blocking: number }> {
  const names = String(await admin.client('LIST'))
    .split('\n')
    .map((l) => /(?:^| )name=(\S+)/.exec(l)?.[1] ?? '');
  return {
    opsline: names.filter((n) => n.startsWith('opsline:burn-') && n.endsWith(`:${process.pid}`)).sort(),
    blocking: names.filter((n) => n.startsWith(`${prefix}:`)).length,
  };
}

// docs/hosting.md, "Redis connections": a worker process's connections grow by one per lane, not three.
describe('BullJobQueue connections', () => {
  it('shares one connection among all Queues and one among all Workers; only the blocking ones are per lane', async () => {
    const p = redisPrefix();
    cleanups.push(p.cleanup);
    const queue = new BullBurnQueue({ url: REDIS_URL, prefix: p.prefix, lockDurationMs: 4000, stalledIntervalMs: 1000, log: pino({ level: 'silent' }) });
    cleanups.push(() => queue.close());
    const admin = new Redis(REDIS_URL);
    cleanups.push(() => admin.disconnect());
    const drives = Array.from({ length: 12 }, (_, i) => `d${i + 1}`);
    queue.work(drives.map((d) => `a1.${d}`), () => new Promise(() => undefined));
    for (const d of drives) await queue.add(`bconn${d.padStart(3, '0')}`, job(d)).catch(() => undefined);
    // Every lane's worker listens (its blocking connection is up) before the count.
    for (const d of drives) while ((await queue.workers(job(d))) === 0) await new Promise((r) => setTimeout(r, 50));
    const c = await connectionsOf(admin, p.prefix);
    expect(c.blocking).toBe(drives.length);
    // The job index, every Queue's connection, every Worker's non-blocking side: one each.
    expect(c.opsline).toEqual([`opsline:burn-jobs:${process.pid}`, `opsline:burn-queue:${process.pid}`, `opsline:burn-worker:${process.pid}`]);
  });
});
