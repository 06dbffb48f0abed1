import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRedis, describeRedis, redisOptions } from '../../src/redis/connect.js';
import { BullBurnQueue } from '../../src/services/queue/bullmq.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function client(...args: Parameters<typeof connectRedis>): Redis {
  const r = connectRedis(...args);
  r.on('error', () => undefined);
  cleanups.push(() => r.disconnect());
  return r;
}

describe('connectRedis', () => {
  it('names each connection opsline:<role>:<pid>, and again after a reconnect', async () => {
    const r = client(REDIS_URL, { role: 'name-check', profile: 'command' });
    expect(await r.client('GETNAME')).toBe(`opsline:name-check:${process.pid}`);
    const admin = new Redis(REDIS_URL);
    cleanups.push(() => admin.disconnect());
    const id = await r.client('ID');
    await admin.client('KILL', 'ID', String(id));
    // The next command waits for the reconnect; the new connection carries the name too.
    expect(await r.client('GETNAME')).toBe(`opsline:name-check:${process.pid}`);
    expect(await r.client('ID')).not.toBe(id);
  });

  it('command profile: a Redis that does not answer fails the call within the timeout', async () => {
    const proxy = await FaultProxy.start('127.0.0.1', 6379);
    cleanups.push(() => proxy.close());
    const r = client(`redis://127.0.0.1:${proxy.port}`, { role: 'hung', profile: 'command' });
    await r.ping();
    const held = proxy.hold(4000);
    cleanups.push(() => held);
    await expect(r.get('anything')).rejects.toThrow(/^Command timed out/);
  });

  it('blocking profile: a blocking read waits as long as it asked to (no command timeout cuts it)', async () => {
    const p = redisPrefix();
    cleanups.push(p.cleanup);
    const r = client(REDIS_URL, { role: 'reader', profile: 'blocking' });
    const w = client(REDIS_URL, { role: 'writer', profile: 'command' });
    const read = r.xread('BLOCK', 3000, 'STREAMS', `${p.prefix}:s`, '$');
    // Written after the command profile's timeout (1 s) has passed: only a reader without one still gets it.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await w.xadd(`${p.prefix}:s`, '*', 'k', 'v');
    const got = (await read) as [string, [string, string[]][]][] | null;
    expect(got?.[0]?.[1][0]?.[1]).toEqual(['k', 'v']);
  });

  it('a BullMQ worker still names its blocking connection after its queue, so workers are counted', async () => {
    const p = redisPrefix();
    cleanups.push(p.cleanup);
    const queue = new BullBurnQueue({ url: REDIS_URL, prefix: p.prefix, lockDurationMs: 4000, stalledIntervalMs: 1000, log: pino({ level: 'silent' }) });
    cleanups.push(() => queue.close());
    const requester = { key: 'console:ann', name: 'ann' };
    const data = { agent: 'a1', drive: 'd1', image: 'x.iso', verify: true, requester, thread: { platform: 'console', channel: 'c', rootId: 'r', requester }, requestedAt: new Date().toISOString() };
    expect(await queue.workers(data)).toBe(0);
    queue.work(['a1.d1'], () => new Promise(() => undefined));
    const admin = new Redis(REDIS_URL);
    cleanups.push(() => admin.disconnect());
    for (let i = 0; i < 100 && (await queue.workers(data)) === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await queue.workers(data)).toBe(1);
    // The worker's other connection carries opsline's name.
    expect(String(await admin.client('LIST'))).toContain(`name=opsline:burn-worker:${process.pid}`);
  });

  it('with sentinels, asks them for the primary by name and keeps the URL only for credentials and database', () => {
    const o = redisOptions({ url: 'redis://:s3cret@ignored:1/2', sentinels: [{ host: '10.0.0.1', port: 26379 }], name: 'opsline' }, { role: 'x', profile: 'command' });
    expect(o).toMatchObject({ sentinels: [{ host: '10.0.0.1', port: 26379 }], name: 'opsline', password: 's3cret', db: 2 });
    expect(o.host).toBeUndefined();
    expect(describeRedis({ url: 'redis://:s3cret@ignored:1/2', sentinels: [{ host: '10.0.0.1', port: 26379 }], name: 'opsline' })).toBe('sentinel opsline@10.0.0.1:26379');
    expect(describeRedis('redis://:s3cret@10.0.0.2:6379')).toBe('redis://10.0.0.2:6379');
  });
});
