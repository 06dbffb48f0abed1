import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { LiveThread } from '../../src/core/live-thread.js';
import { plainText } from '../../src/core/message.js';
import type { ThreadRef, ThreadTransport } from '../../src/core/thread.js';
import type { Principal } from '../../src/core/principal.js';
import { Transports } from '../../src/relay/transports.js';
import { applyOwnThread, mirrorThread } from '../../src/relay/apply.js';
import type { ThreadRelay } from '../../src/relay/entry.js';
import { MemoryRelay } from '../../src/relay/memory-relay.js';
import { RedisRelay } from '../../src/relay/redis-relay.js';
import { silent } from '../helpers/agent-fixture.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

const alice: Principal = { key: 'console:alice', name: 'alice' };
const redis = redisPrefix();
const relays: ThreadRelay[] = [];
afterAll(async () => {
  await Promise.all(relays.map((r) => r.close()));
  await redis.cleanup();
});

function redisRelay(origin: string, maxLen?: number): RedisRelay {
  const r = new RedisRelay({ url: REDIS_URL, prefix: redis.prefix, origin, log: silent, ...(maxLen ? { maxLen } : {}) });
  relays.push(r);
  return r;
}

/** A transport that records what it was asked to show. */
function recorder(platform = 'console'): ThreadTransport & { shown: string[] } {
  let n = 0;
  const shown: string[] = [];
  return {
    platform,
    editIntervalMs: 0,
    shown,
    postReply: async (_ref, text) => (shown.push(`reply ${plainText(text)}`), `m${++n}`),
    edit: async (_ref, id, text) => void shown.push(`edit ${id} ${plainText(text)}`),
    close: async (ref) => void shown.push(`close ${ref.statusId}`),
  };
}

const ref = (rootId: string): ThreadRef => ({ platform: 'console', channel: 'console:owner', rootId, requester: alice, statusId: 's1' });

describe.each([
  ['redis', () => [redisRelay('owner'), redisRelay('worker')] as const],
  ['memory', () => { const m = new MemoryRelay('shared'); return [m, m] as const; }],
])('the thread relay (%s)', (_name, make) => {
  it("brings a worker's updates to the owner's transport, in order, and stops at the final line", async () => {
    const [owner, worker] = make();
    const thread = ref(`#${Math.random()}`);
    const local = recorder();
    const following = applyOwnThread(owner, thread, local);
    // The worker has no console transport: Transports relays only.
    const remote = new Transports(worker).get('console');
    if (!remote) throw new Error('a relay always gives a transport');
    const live = LiveThread.reopen(remote, thread);
    live.status('writing 10%');
    await live.flush();
    await live.milestone('verifying…');
    await live.finish('✔ done in 0:07', 'burn finished ✔');
    await following.done;
    const mine = owner === worker ? [] : ['edit s1 writing 10%', 'reply verifying…', 'edit s1 ✔ done in 0:07', 'close s1', 'reply @alice burn finished ✔'];
    expect(local.shown).toEqual(mine);
  });

  it("follows a job's thread into a watcher's own thread, from the oldest update kept", async () => {
    const [watcherSide, worker] = make();
    const started = ref(`#${Math.random()}`);
    // The job's owner posts its initial status (that message id becomes the statusId) ...
    const ownerSide = new Transports(worker);
    ownerSide.add(recorder());
    const job = { ...started, statusId: await ownerSide.get('console')!.postReply(started, 'queued') };
    // ... and a worker elsewhere a milestone, before anyone watches.
    const remote = new Transports(worker).get('console')!;
    const live = LiveThread.reopen(remote, job);
    await live.milestone('writing x.iso to dvd1');
    const mine = recorder('slack');
    const target = LiveThread.reopen(mine, { platform: 'slack', channel: 'C1', rootId: 'r1', statusId: 'w1', requester: { key: 'slack:T:U', name: 'bob' } });
    const following = mirrorThread(watcherSide, job, target);
    live.status('writing 50%');
    await live.flush();
    await expect.poll(() => mine.shown).toContain('edit w1 writing 50%');
    await live.finish('✔ done in 0:07', 'burn finished ✔');
    await following.done;
    // The live status is coalesced: 'queued' may be replaced by the newer text before it is sent.
    expect(mine.shown.filter((x) => x !== 'edit w1 queued')).toEqual([ 'reply writing x.iso to dvd1', 'edit w1 writing 50%', 'edit w1 ✔ done in 0:07', 'close w1', 'reply @bob burn finished ✔']);
  });
});

describe('the Redis relay', () => {
  it('keeps a bounded backlog that expires, whether or not anyone reads it', async () => {
    const worker = redisRelay('worker', 20);
    const thread = ref('#bounded');
    for (let i = 0; i < 500; i++) worker.publish(thread, { op: 'edit', id: 's1', text: `${i}%` });
    const r = new Redis(REDIS_URL);
    try {
      const key = `${redis.prefix}:thread:console:console:owner:#bounded`;
      await expect.poll(async () => (await r.xrevrange(key, '+', '-', 'COUNT', 1))[0]?.[1][1]).toContain('499%');
      expect(await r.xlen(key)).toBeLessThan(200);
      expect(await r.ttl(key)).toBeGreaterThan(0);
    } finally {
      r.disconnect();
    }
  });

  it('drops an entry that does not fit the schema and goes on', async () => {
    const owner = redisRelay('owner');
    const thread = ref('#junk');
    const r = new Redis(REDIS_URL);
    const key = `${redis.prefix}:thread:console:console:owner:#junk`;
    await r.xadd(key, '*', 'e', '{"o":"x","op":"rm -rf"}');
    await r.xadd(key, '*', 'e', 'not json');
    await r.xadd(key, '*', 'e', JSON.stringify({ o: 'worker', op: 'final', text: 'done' }));
    r.disconnect();
    const local = recorder();
    await applyOwnThread(owner, thread, local).done;
    expect(local.shown).toEqual(['reply @alice done']);
  });
});

describe('broadcasts through Redis (console posts)', () => {
  it('reach every other listening process, not the sender, and drop what does not fit the schema', async () => {
    const [a, b, c] = [redisRelay('a'), redisRelay('b'), redisRelay('c')];
    const got = new Map<string, string[]>([['a', []], ['b', []], ['c', []]]);
    for (const [name, r] of [['a', a], ['b', b], ['c', c]] as const) await r.listen('posts', (t) => got.get(name)!.push(t));
    const raw = new Redis(REDIS_URL);
    await raw.publish(`${redis.prefix}:broadcast:posts`, JSON.stringify({ o: 'x', text: 1 }));
    await raw.publish(`${redis.prefix}:broadcast:posts`, 'not json');
    raw.disconnect();
    a.broadcast('posts', '#ops hello');
    await until(() => got.get('b')!.length > 0 && got.get('c')!.length > 0);
    expect(Object.fromEntries(got)).toEqual({ a: [], b: ['#ops hello'], c: ['#ops hello'] });
  });
});

describe('entry positions (the web view\'s SSE ids)', () => {
  for (const [name, make] of [
    ['memory', () => new MemoryRelay('p1', 3)],
    ['redis', () => redisRelay('p1')],
  ] as const) {
    it(`${name}: follow after a position gives the entries after it, whatever was trimmed before it`, async () => {
      const relay: ThreadRelay = make();
      const ref: ThreadRef = { platform: 'console', channel: `c-${name}-${Date.now()}`, rootId: 'r1', requester: alice };
      for (let i = 1; i <= 5; i++) relay.publish(ref, { op: 'reply', text: `line ${i}` });
      relay.publish(ref, { op: 'final', text: 'done' });
      const read = async (after?: string) => {
        const got: [string, string][] = [];
        const f = relay.follow(ref, (e, at) => (got.push([at, plainText(e.text ?? '')]), e.op === 'final'), after);
        await f.done;
        return got;
      };
      const all = await until(async () => {
        const r = await read();
        return r.at(-1)?.[1] === 'done' ? r : undefined;
      });
      const texts = all.map(([, t]) => t);
      // The memory relay keeps three entries; Redis keeps them all here.
      expect(texts).toEqual(name === 'memory' ? ['line 4', 'line 5', 'done'] : ['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'done']);
      for (const [at] of all) expect(at).toMatch(/^\d+-\d+$/);
      expect(await read(all.at(-3)?.[0])).toEqual(all.slice(-2));
      // A position older than anything kept, or one that is no position, reads from the oldest kept.
      expect(await read('0-0')).toEqual(all);
      expect(await read('not-a-position')).toEqual(all);
    });
  }
});
