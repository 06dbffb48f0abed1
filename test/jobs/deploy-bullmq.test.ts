import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisDeployStore } from '../../src/services/deploy/redis-store.js';
import { HookServer } from '../helpers/hook-server.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { TestAdapter, texts, users } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';

const DEP = 'console:dee';
const DEP2 = 'console:dan';
const log = pino({ level: 'silent' });
const redis = redisPrefix();
let hooks: HookServer;
let replicas: TestAdapter[];

beforeAll(async () => {
  hooks = await new HookServer().start();
  const config = {
    redis: { url: REDIS_URL, prefix: redis.prefix },
    access: { users: users({ [DEP]: ['deployer'], [DEP2]: ['deployer'] }) },
    deploy: {
      targets: [
        { name: 'site', kind: 'webhook' as const, url: hooks.url('/ok'), body: '{"ref":"{ref}"}' },
        { name: 'guarded', kind: 'webhook' as const, url: hooks.url('/ok?guarded'), confirm: true },
      ],
    },
  };
  // Two bots on one Redis, as two replicas behind a load balancer.
  replicas = await Promise.all([TestAdapter.create({ config }), TestAdapter.create({ config })]);
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.app.stop()));
  await hooks.stop();
  await redis.cleanup();
});

describe('deploys on BullMQ with Redis locks', () => {
  it('lets exactly one of many concurrent lockers win', async () => {
    const stores = Array.from({ length: 4 }, () => new RedisDeployStore(REDIS_URL, redis.prefix, log));
    const by = (i: number) => ({ key: `console:u${i}`, name: `u${i}` });
    const results = await Promise.all(stores.flatMap((s, i) => [0, 1, 2].map((j) => s.lock('race', { by: by(i), since: `t${j}`, reason: `${i}.${j}` }))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const holder = await stores[0]!.holder('race');
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && JSON.stringify(r.holder) === JSON.stringify(holder))).toBe(true);
    expect(await stores[1]!.release('race', { ...holder!, reason: 'other' })).toBe(false);
    expect(await stores[1]!.release('race', holder!)).toBe(true);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('refuses a deploy on one replica while another replica holds the lock, and runs it through BullMQ', async () => {
    const [a, b] = replicas as [TestAdapter, TestAdapter];
    expect(await a.text(DEP, '/deploy lock site maintenance')).toMatch(/^site is locked by you/);
    expect(await b.text(DEP2, '/deploy site main')).toMatch(/^site is locked by dee \(console:dee\) since .* "maintenance"$/);
    expect(await b.text(DEP, '/deploy unlock site')).toBe('site is unlocked');
    // Either replica's worker may take the job; each reports through its own (recording) transport.
    const all = () => [...a.transport.messages, ...b.transport.messages];
    const n = all().length;
    expect(await b.text(DEP2, '/deploy site v9')).toMatch(/^deploy job d[a-z0-9]{6} of site at v9 queued/);
    await until(() => all().some((m) => m.text.startsWith('@dan ')));
    expect(texts(all()).filter((t) => t.startsWith('@dan '))).toEqual([expect.stringMatching(/^@dan deploy of site v9 finished ✔ \(HTTP 202/)]);
    expect(all().length).toBeGreaterThan(n);
    expect(await a.text(DEP, '/deploy list')).toMatch(/^site \(webhook\): unlocked; last: v9 by dan .* ✔ HTTP 202$/m);
  });

  it('holds confirmations in Redis: asked on one replica, confirmed on the other, once; foreign presses refused', async () => {
    const [a, b] = replicas as [TestAdapter, TestAdapter];
    const [ask] = await a.say(DEP, '/deploy guarded main');
    const code = ask!.confirm!.code;
    expect(await b.text(DEP2, `/confirm ${code}`)).toBe(`confirmation ${code} belongs to dee; only they can confirm it. Nothing was run`);
    const before = hooks.requests.filter((r) => r.path === '/ok?guarded').length;
    const [first, second] = await Promise.all([b.text(DEP, `/confirm ${code}`), a.text(DEP, `/confirm ${code}`)]);
    expect([first, second].filter((t) => /^deploy job d[a-z0-9]{6} of guarded at main queued/.test(t))).toHaveLength(1);
    expect([first, second].filter((t) => t.startsWith('no request is waiting for confirmation'))).toHaveLength(1);
    await until(() => hooks.requests.filter((r) => r.path === '/ok?guarded').length === before + 1);
  });
});
