import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildAccess } from '../../src/access-setup.js';
import { buildConfig } from '../../src/config/load.js';
import { MemoryGrantStore } from '../../src/core/grants/memory-store.js';
import { Transports } from '../../src/core/thread.js';
import { PLATFORM_DEADLINE_MS } from '../../src/http/deadline.js';
import { RedisConfirmations } from '../../src/services/redis-confirmations.js';
import { RecentKeys, RedisSeenKeys } from '../../src/services/seen-keys.js';
import { silentRedis, type SilentRedis } from '../helpers/silent-redis.js';

const silent = pino({ level: 'silent' });
let redis: SilentRedis | undefined;
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await redis?.close();
});

// Each test's own timeout is the platform's deadline: before, these calls waited until the
// connection was given up on (never, with a black hole), and the command they serve got no reply.
describe('a Redis that takes the connection and never answers', () => {
  it('replay keys: this replica decides', async () => {
    redis = await silentRedis();
    const keys = new RedisSeenKeys(redis.url, 'test', new RecentKeys(), silent);
    closers.push(() => keys.close());
    expect(await keys.firstSeen('trigger-1')).toBe(true);
    expect(await keys.firstSeen('trigger-1')).toBe(false);
  }, PLATFORM_DEADLINE_MS);

  it('access: the allowlist still decides, grants are left out', async () => {
    redis = await silentRedis();
    const config = buildConfig({ redis: { url: redis.url }, access: { users: [{ key: 'console:ann', roles: ['viewer'] }] } });
    const parts = buildAccess(config, new MemoryGrantStore(), new Transports(), silent, Date.now, { list: config.access, extra: new Map() });
    closers.push(() => parts.stop());
    await parts.access.prepare({ key: 'console:ann', name: 'ann' });
    expect(parts.access.decide('console:ann', 'status', ['viewer']).allow).toBe(true);
    expect(parts.access.decide('console:bob', 'status', ['viewer']).allow).toBe(false);
  }, PLATFORM_DEADLINE_MS);

  it('confirmation codes: the command fails, with an error its caller turns into a reply', async () => {
    redis = await silentRedis();
    const store = new RedisConfirmations(redis.url, 'test', silent);
    closers.push(() => store.close());
    const invocation = { id: 'i', platform: 'console', principal: { key: 'console:ann', name: 'ann' }, room: 'c', command: 'deploy', text: 'site', receivedAt: new Date() };
    await expect(store.add({ principalKey: 'console:ann', path: 'deploy run', args: {}, invocation })).rejects.toThrow();
  }, PLATFORM_DEADLINE_MS);
});
