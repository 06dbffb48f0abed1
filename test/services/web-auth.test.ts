import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryKeyStore, RedisKeyStore, type KeyStore } from '../../src/services/web/key-store.js';
import { WebSessions } from '../../src/services/web/sessions.js';
import { counted, SignInAttempts } from '../../src/services/web/sign-in-attempts.js';
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
      bump: (k, t) => store.bump(k, t),
      unbump: (k) => store.unbump(k),
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

describe('failed sign-ins', () => {
  it('are counted across replicas sharing one Redis: ten failures spread over two refuse the address on both', async () => {
    const p = redisPrefix();
    const a = new RedisKeyStore(REDIS_URL, p.prefix, pino({ level: 'silent' }));
    const b = new RedisKeyStore(REDIS_URL, p.prefix, pino({ level: 'silent' }));
    cleanups.push(() => p.cleanup(), () => a.close(), () => b.close());
    const [one, two] = [new SignInAttempts(a), new SignInAttempts(b)];
    for (let i = 0; i < 5; i++) await Promise.all([one.reserve('203.0.113.7'), two.reserve('203.0.113.7')]);
    expect(await one.allowed('203.0.113.7')).toBe(false);
    expect(await two.allowed('203.0.113.7')).toBe(false);
    expect(await two.allowed('203.0.113.8')).toBe(true);
  });

  it('start again when the window ends, counted from the first failure (a fixed window)', async () => {
    let now = 0;
    const attempts = new SignInAttempts(new MemoryKeyStore(() => now), 2, 60_000);
    expect(await attempts.reserve('a')).toBe(true);
    now = 59_000;
    expect(await attempts.reserve('a')).toBe(true);
    expect(await attempts.allowed('a')).toBe(false);
    expect(await attempts.reserve('a')).toBe(false);
    now = 60_000;
    expect(await attempts.allowed('a')).toBe(true);
  });

  it.each(stores)('in %s, let at most ten tries of a burst through, and a try that succeeded is taken back', async (_name, make) => {
    const attempts = new SignInAttempts(make());
    const burst = await Promise.all(Array.from({ length: 30 }, () => attempts.reserve('203.0.113.9')));
    expect(burst.filter(Boolean)).toHaveLength(10);
    const other = new SignInAttempts(make());
    for (let i = 0; i < 9; i++) expect(await other.reserve('a')).toBe(true);
    // The tenth try signs in: it is taken back, so one more failure still fits in the window.
    expect(await other.reserve('a')).toBe(true);
    await other.succeeded('a');
    expect(await other.allowed('a')).toBe(true);
    expect(await other.reserve('a')).toBe(true);
    expect(await other.reserve('a')).toBe(false);
  });

  it('count an IPv6 client by its /64 (every spelling of it), an IPv4-mapped address as the IPv4 one', async () => {
    expect(counted('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(counted('2001:0db8:0001:0002:ffff:0:0:9')).toBe('2001:db8:1:2::/64');
    expect(counted('2001:db8:1:3::1')).not.toBe(counted('2001:db8:1:2::1'));
    expect(counted('::ffff:203.0.113.5')).toBe('203.0.113.5');
    expect(counted('not-an-ip')).toBe('not-an-ip');
    const attempts = new SignInAttempts(new MemoryKeyStore());
    for (let i = 1; i <= 10; i++) expect(await attempts.reserve(`2001:db8:1:2::${i.toString(16)}`)).toBe(true);
    expect(await attempts.reserve('2001:db8:1:2:1234:5678:9abc:def0')).toBe(false);
    expect(await attempts.allowed('2001:db8:1:3::1')).toBe(true);
  });

  it('take nothing back from a counter that has expired (no counter without an expiry is left)', async () => {
    const p = redisPrefix();
    const store = new RedisKeyStore(REDIS_URL, p.prefix, pino({ level: 'silent' }));
    cleanups.push(() => p.cleanup(), () => store.close());
    await store.unbump('gone');
    const r = new Redis(REDIS_URL);
    cleanups.push(async () => void r.disconnect());
    expect(await r.exists(`${p.prefix}:web:gone`)).toBe(0);
    expect(await store.bump('w', 60_000)).toBe(1);
    await store.unbump('w');
    await store.unbump('w');
    expect(await r.get(`${p.prefix}:web:w`)).toBe('0');
    expect(await r.pttl(`${p.prefix}:web:w`)).toBeGreaterThan(0);
  });

  it('keep a fixed window in Redis: later failures do not push its end back', async () => {
    const p = redisPrefix();
    const store = new RedisKeyStore(REDIS_URL, p.prefix, pino({ level: 'silent' }));
    cleanups.push(() => p.cleanup(), () => store.close());
    expect(await store.bump('w', 60_000)).toBe(1);
    expect(await store.bump('w', 600_000)).toBe(2);
    const r = new Redis(REDIS_URL);
    cleanups.push(async () => void r.disconnect());
    const ttl = await r.pttl(`${p.prefix}:web:w`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });
});
