import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildAccess } from '../../src/app/access-setup.js';
import { buildConfig } from '../../src/config/load.js';
import { MemoryGrantStore } from '../../src/core/grants/memory-store.js';
import { Transports } from '../../src/relay/transports.js';
import { PLATFORM_DEADLINE_MS } from '../../src/http/deadline.js';
import { RedisConfirmations } from '../../src/services/redis-confirmations.js';
import { RecentKeys, RedisSeenKeys } from '../../src/services/seen-keys.js';
import { Redis } from 'ioredis';
import { BullBurnQueue } from '../../src/services/queue/bullmq.js';
import { RedisDeployStore } from '../../src/services/deploy/redis-store.js';
import { DeployService } from '../../src/services/deploy/service.js';
import { DEPLOY_KIND, type DeployJobData, type DeployProgress, type DeployResult } from '../../src/services/deploy/types.js';
import { MemoryJobQueue } from '../../src/services/queue/memory-jobs.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';

const silent = pino({ level: 'silent' });
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * The real Redis behind a proxy that holds every answer for longer than the platform waits: Redis
 * hung, or a black hole on the path. Returns its URL and a fresh key prefix.
 */
async function hungRedis(): Promise<{ url: string; prefix: string }> {
  const proxy = await FaultProxy.start('127.0.0.1', 6379);
  const held = proxy.hold(PLATFORM_DEADLINE_MS + 1_000);
  const p = redisPrefix();
  cleanups.push(p.cleanup, () => proxy.close(), () => held);
  return { url: `redis://127.0.0.1:${proxy.port}`, prefix: p.prefix };
}

// Each test's own timeout is the platform's deadline: before, these calls waited for Redis's answer
// (never, with a black hole), and the command they serve got no reply.
describe('a Redis that takes the connection and does not answer', () => {
  it('replay keys: this replica decides', async () => {
    const redis = await hungRedis();
    const keys = new RedisSeenKeys(redis.url, redis.prefix, new RecentKeys(), silent);
    cleanups.push(() => keys.close());
    expect(await keys.firstSeen('trigger-1')).toBe(true);
    expect(await keys.firstSeen('trigger-1')).toBe(false);
  }, PLATFORM_DEADLINE_MS);

  it('access: the allowlist still decides, grants are left out', async () => {
    const redis = await hungRedis();
    const config = buildConfig({ redis, access: { users: [{ key: 'console:ann', roles: ['viewer'] }] } });
    const parts = buildAccess(config, new MemoryGrantStore(), new Transports(), silent, Date.now, { list: config.access, extra: new Map() });
    cleanups.push(() => parts.stop());
    await parts.access.prepare({ key: 'console:ann', name: 'ann' });
    expect(parts.access.decide('console:ann', 'status', ['viewer']).allow).toBe(true);
    expect(parts.access.decide('console:bob', 'status', ['viewer']).allow).toBe(false);
  }, PLATFORM_DEADLINE_MS);

  it('confirmation codes: the command fails, with an error its caller turns into a reply', async () => {
    const redis = await hungRedis();
    const store = new RedisConfirmations(redis.url, redis.prefix, silent);
    cleanups.push(() => store.close());
    const invocation = { id: 'i', platform: 'console', principal: { key: 'console:ann', name: 'ann' }, room: 'c', command: 'deploy', text: 'site', receivedAt: new Date() };
    await expect(store.add({ principalKey: 'console:ann', path: 'deploy run', args: {}, invocation, specs: '[]' })).rejects.toThrow();
  }, PLATFORM_DEADLINE_MS);

  it('confirmation codes: the failure is `unavailable`, saying nothing was run', async () => {
    const redis = await hungRedis();
    const store = new RedisConfirmations(redis.url, redis.prefix, silent);
    cleanups.push(() => store.close());
    await expect(store.take('ABCDEF', 'console:ann')).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/^the confirmation store is unavailable; nothing was run/) });
  }, PLATFORM_DEADLINE_MS);

  it('the queue: a job is refused with `unavailable` and certainly not queued; reads say nothing changed', async () => {
    const redis = await hungRedis();
    const queue = new BullBurnQueue({ url: redis.url, prefix: redis.prefix, lockDurationMs: 4000, stalledIntervalMs: 1000, log: silent });
    cleanups.push(() => queue.close());
    const requester = { key: 'console:ann', name: 'ann' };
    const data = { agent: 'a1', drive: 'd1', image: 'x.iso', verify: true, requester, thread: { platform: 'console', channel: 'c', rootId: 'r', requester }, requestedAt: new Date().toISOString() };
    await expect(queue.add('bhung01', data)).rejects.toMatchObject({ code: 'unavailable', message: 'the queue is unavailable; nothing was queued (Redis did not answer within 1 s)' });
    await expect(queue.get('bhung01')).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/^the queue is unavailable; nothing was changed/) });
    // The proxy delivers what it is sent and holds only the answers: had any write gone out, Redis would have it now.
    const direct = new Redis(REDIS_URL);
    cleanups.push(() => direct.disconnect());
    expect(await direct.keys(`${redis.prefix}:*`)).toEqual([]);
  }, PLATFORM_DEADLINE_MS);

  it('deploy locks: taking one fails with `unavailable`, saying nothing was locked', async () => {
    const redis = await hungRedis();
    const store = new RedisDeployStore(redis.url, redis.prefix, silent);
    cleanups.push(() => store.close());
    await expect(store.lock('site', { by: { key: 'console:ann', name: 'ann' }, since: new Date().toISOString() })).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/^the deploy lock store is unavailable; /) });
  }, PLATFORM_DEADLINE_MS);

  it('deploy locks: a job that ends while Redis is hung still gives its lock back once Redis answers', async () => {
    const redis = await hungRedis();
    const store = new RedisDeployStore(redis.url, redis.prefix, silent);
    cleanups.push(() => store.close());
    const direct = new Redis(REDIS_URL);
    cleanups.push(() => direct.disconnect());
    const key = `${redis.prefix}:deploy:lock:site`;
    await direct.set(key, JSON.stringify({ by: { key: 'console:ann', name: 'ann' }, since: new Date().toISOString(), jobId: 'd1' }));
    const service = new DeployService([], new MemoryJobQueue<DeployJobData, DeployResult, DeployProgress>(DEPLOY_KIND), store);
    await service.releaseFor('site', 'd1');
    expect(await direct.get(key)).toBeNull();
  }, 15_000);
});
