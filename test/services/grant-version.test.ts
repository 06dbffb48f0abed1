import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { GrantRoles } from '../../src/core/grants/grant-roles.js';
import { MemoryGrantStore } from '../../src/core/grants/memory-store.js';
import { connectInvalidations, connectRedis } from '../../src/redis/connect.js';
import { SYNC_MS, TrackedGrantVersion } from '../../src/services/grant-version.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { startOwnRedis } from '../helpers/redis-server.js';
import { until } from '../helpers/until.js';

const log = pino({ level: 'silent' });
const who = { key: 'slack:T1:U1', name: 'u1' };
const prefix = redisPrefix();
const KEY = `${prefix.prefix}:grants:version`;
const open: { close(): unknown }[] = [];

/** A replica's grant version: GETs and INCRs on `url`, invalidations on `trackerUrl`; the clock is the test's. */
function replica(clock: { t: number }, url = REDIS_URL, trackerUrl = url): { version: TrackedGrantVersion; redis: Redis } {
  const redis = connectRedis(url, { role: 'test-grants', profile: 'command' });
  redis.on('error', () => undefined); // a proxy the test closes resets it: the reads' failures are what is tested
  const version = new TrackedGrantVersion(redis, connectInvalidations(trackerUrl, 'test-grant-invalidations'), KEY, log, () => clock.t);
  open.push({ close: () => (version.close(), redis.disconnect()) });
  return { version, redis };
}

/** The first peek (a decision) connects the tracker; resolves once invalidations are set up and a read has been kept. */
async function tracking(v: TrackedGrantVersion): Promise<string> {
  expect(v.peek()).toBeUndefined();
  const first = v.read();
  if (!v.tracking) await once(v, 'tracking');
  await first;
  // Kept once the data connection's server is known to be the tracker's (it asks on connecting).
  return until(async () => {
    await v.read();
    return v.peek();
  });
}

afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});
afterAll(() => prefix.cleanup());

describe('the grant version under Redis client-side caching (docs/architecture.md, "Grant versions")', () => {
  it('a revoke on one replica is seen by the other\'s next decision, which had the version in memory', async () => {
    // The clock stands still: the other replica's copy never ages out, so only the invalidation can tell it.
    const clock = { t: 0 };
    const store = new MemoryGrantStore();
    const one = new GrantRoles(store, replica(clock).version, 86_400_000, log);
    const twoVersion = replica(clock).version;
    const two = new GrantRoles(store, twoVersion, 86_400_000, log);
    await tracking(one.version as TrackedGrantVersion);
    await tracking(twoVersion);
    const g = await store.add({ principalKey: who.key, role: 'writer', grantedBy: 'slack:T1:UADMIN', expiresAt: new Date(Date.now() + 3_600_000) });
    await one.changed();
    await two.prepare(who);
    expect(two.rolesFor(who).map((h) => h.role)).toEqual(['writer']);
    await two.prepare(who);
    expect(twoVersion.peek()).toBeDefined(); // the next decision would cost no round trip
    await store.revoke(g.id, 'slack:T1:UADMIN', new Date());
    await one.changed();
    await two.prepare(who);
    expect(two.rolesFor(who)).toEqual([]);
  });

  it('the invalidation connection lost: the copy is dropped, the next read goes to Redis, and tracking comes back on the new connection', async () => {
    const clock = { t: 0 };
    const proxy = await FaultProxy.start('127.0.0.1', 6379);
    open.push(proxy);
    const { version, redis } = replica(clock, REDIS_URL, `redis://127.0.0.1:${proxy.port}`);
    const before = await tracking(version);
    const lost = once(version, 'lost');
    proxy.cut();
    await lost;
    expect(version.peek()).toBeUndefined();
    await redis.incr(KEY); // while nothing can tell this replica
    const back = once(version, 'tracking');
    expect(await version.read()).toBe(String(Number(before) + 1));
    await back;
    expect(await tracking(version)).toBe(String(Number(before) + 1));
    // Invalidations reach the new connection too: a change drops the copy while the clock stands still.
    const invalidated = once(version, 'invalidated');
    await redis.incr(KEY);
    await invalidated;
    expect(version.peek()).toBeUndefined();
    expect(await version.read()).toBe(String(Number(before) + 2));
  });

  it('a tracker that stops answering vouches for nothing once its last answered PING is SYNC_MS old', async () => {
    const clock = { t: 0 };
    const proxy = await FaultProxy.start('127.0.0.1', 6379);
    open.push(proxy);
    const { version, redis } = replica(clock, REDIS_URL, `redis://127.0.0.1:${proxy.port}`);
    const before = await tracking(version);
    const release = proxy.stall();
    try {
      await redis.incr(KEY); // its invalidation is held in the proxy
      expect(version.peek()).toBe(before); // within SYNC_MS of the last proof: the documented window
      clock.t += SYNC_MS + 1;
      expect(version.peek()).toBeUndefined();
      expect(await version.read()).toBe(String(Number(before) + 1));
    } finally {
      release();
    }
  });

  it('fails closed: with neither connection answering, grants count for nothing', async () => {
    const clock = { t: 0 };
    const proxy = await FaultProxy.start('127.0.0.1', 6379);
    const url = `redis://127.0.0.1:${proxy.port}`;
    const store = new MemoryGrantStore();
    const { version } = replica(clock, url);
    const grants = new GrantRoles(store, version, 86_400_000, log);
    await store.add({ principalKey: who.key, role: 'operator', grantedBy: 'slack:T1:UADMIN', expiresAt: new Date(Date.now() + 3_600_000) });
    await tracking(version);
    await grants.changed();
    expect(grants.rolesFor(who).map((h) => h.role)).toEqual(['operator']);
    const lost = once(version, 'lost');
    await proxy.close(); // Redis is gone for this replica: connections reset, new ones refused
    await lost;
    await grants.prepare(who);
    expect(grants.rolesFor(who)).toEqual([]);
  });

  it('keeps no copy while the tracker and the data connection are on different servers (a failover each made alone)', async () => {
    const own = await startOwnRedis();
    open.push({ close: () => own.stop() });
    const clock = { t: 0 };
    const { version } = replica(clock, REDIS_URL, own.url);
    expect(version.peek()).toBeUndefined();
    if (!version.tracking) await once(version, 'tracking');
    for (let i = 0; i < 5; i++) {
      expect(await version.read()).toBeDefined();
      expect(version.peek()).toBeUndefined();
    }
  });

  it('bumps by a random step, so a counter that went back (Redis restarted without its data) does not repeat a loaded value', async () => {
    const clock = { t: 0 };
    const { version, redis } = replica(clock);
    await redis.del(KEY);
    await version.bump();
    const first = Number(await redis.get(KEY));
    await redis.del(KEY);
    await version.bump();
    const second = Number(await redis.get(KEY));
    // With INCR both would be 1; with a step drawn from 2^30 values, equal ones are a one in a billion chance.
    expect([Number.isInteger(first), first > 0, second > 0, first === second]).toEqual([true, true, true, false]);
  });
});
