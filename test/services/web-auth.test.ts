import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryKeyStore, RedisKeyStore, type KeyStore } from '../../src/services/web/key-store.js';
import { WebSessions } from '../../src/services/web/sessions.js';
import { SignInLinks } from '../../src/services/web/sign-in-links.js';
import { hashOf } from '../../src/services/web/secret.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const stores: [string, () => KeyStore][] = [
  ['memory', () => new MemoryKeyStore()],
  [
    'redis',
    () => {
      const p = redisPrefix();
      const s = new RedisKeyStore(REDIS_URL, p.prefix, pino({ level: 'silent' }));
      cleanups.push(() => p.cleanup(), () => s.close());
      return s;
    },
  ],
];

describe.each(stores)('web sign-in links and sessions in %s', (_name, make) => {
  it('spends a link exactly once when many try at the same time', async () => {
    const links = new SignInLinks(make(), Date.now);
    const token = await links.issue({ key: 'console:alice', name: 'alice' });
    expect(await links.usable(token)).toBe(true);
    const grants = await Promise.all(Array.from({ length: 20 }, () => links.take(token)));
    expect(grants.filter((g) => g !== undefined)).toHaveLength(1);
    expect(grants.find((g) => g)?.key).toBe('console:alice');
    expect(await links.usable(token)).toBe(false);
  });

  it('stores only hashes: the link token and the session secret are nowhere in the store', async () => {
    const store = make();
    const seen: string[] = [];
    const spy: KeyStore = {
      ...store,
      put: (k, v, ttl) => (seen.push(k, v), store.put(k, v, ttl)),
      addMember: (k, m, ttl) => (seen.push(k, m), store.addMember(k, m, ttl)),
      get: (k) => store.get(k),
      take: (k) => store.take(k),
      del: (k) => store.del(k),
      members: (k) => store.members(k),
      removeMember: (k, m) => store.removeMember(k, m),
      close: () => store.close(),
    };
    const token = await new SignInLinks(spy, Date.now).issue({ key: 'console:alice', name: 'alice' });
    const { secret, session } = await new WebSessions(spy, { idleMs: 60_000, maxMs: 3_600_000 }, Date.now).start({ key: 'console:alice', name: 'alice' });
    expect(session.id).toBe(hashOf(secret));
    expect(seen.join('\n')).not.toContain(token);
    expect(seen.join('\n')).not.toContain(secret);
  });

  it('resumes a session by its secret, lists it for its principal and for all, and ends it', async () => {
    const sessions = new WebSessions(make(), { idleMs: 60_000, maxMs: 3_600_000 }, Date.now);
    const a = await sessions.start({ key: 'console:alice', name: 'alice' });
    const b = await sessions.start({ key: 'console:bob', name: 'bob' });
    expect((await sessions.resume(a.secret))?.key).toBe('console:alice');
    expect(await sessions.resume('x'.repeat(43))).toBeUndefined();
    expect((await sessions.list('console:alice')).map((s) => s.id)).toEqual([a.session.id]);
    expect((await sessions.list()).map((s) => s.id).sort()).toEqual([a.session.id, b.session.id].sort());
    expect(await sessions.end(a.session.id)).toBe(true);
    expect(await sessions.resume(a.secret)).toBeUndefined();
    expect(await sessions.list('console:alice')).toEqual([]);
    expect((await sessions.resume(b.secret))?.key).toBe('console:bob');
  });
});
