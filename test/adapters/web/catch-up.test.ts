import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HookServer } from '../../helpers/hook-server.js';
import { REDIS_URL, redisPrefix } from '../../helpers/redis.js';
import { until } from '../../helpers/until.js';
import { webBot } from '../../helpers/web-bot.js';

// docs/web.md, "Live updates": a job page that reconnects with Last-Event-ID after the bot serving it
// restarted, or after older entries were trimmed, gets exactly what it missed: each event's id is its entry's
// id in the thread's Redis stream.
const OPS = 'console:dora';
const keys = redisPrefix();
let hooks: HookServer;
beforeAll(async () => {
  hooks = await new HookServer().start();
});
afterAll(async () => {
  await hooks?.stop();
  await keys.cleanup();
});

describe('live catch-up across a restart', () => {
  it('answers Last-Event-ID from a new process with the events after it, and nothing twice', async () => {
    const config = {
      redis: { url: REDIS_URL, prefix: keys.prefix },
      access: { users: [{ key: OPS, roles: ['deployer' as const] }] },
      deploy: { targets: [{ name: 'site', kind: 'webhook' as const, url: hooks.url('/ok') }] },
    };
    const first = await webBot(config);
    const id = /job (d[a-z0-9]{6})/.exec((await first.say(OPS, '/deploy site main')).text)?.[1] ?? '';
    expect(id).not.toBe('');
    await until(async () => (await first.app.services.deploys?.queue.get(id))?.state === 'finished');
    const cookie = await first.signIn(OPS);
    const events = async (base: string, last?: string) => {
      const res = await fetch(`${base}/web/jobs/${id}/events`, { headers: { cookie, ...(last ? { 'last-event-id': last } : {}) } });
      expect(res.status).toBe(200);
      return [...(await res.text()).matchAll(/^id: (\d+-\d+)\nevent: (\w+)\ndata: (.*)$/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
    };
    const idOf = (event: string | undefined) => event?.split(' ')[0] ?? '';
    const all = await events(first.base);
    expect(all.length).toBeGreaterThan(2);
    expect(all.at(-1)).toMatch(/ final /);
    await first.stop();

    // A new process on the same Redis: the same session, the same numbering.
    const second = await webBot(config);
    try {
      expect(await events(second.base, idOf(all[1]))).toEqual(all.slice(2));
      expect(await events(second.base, idOf(all.at(-1)))).toEqual([]);
      // An id that is not a relay position (hostile, or from before the ids were stream ids) reads from the start.
      expect(await events(second.base, '2')).toEqual(all);
      expect(await events(second.base, `${'9'.repeat(30)}-0`)).toEqual(all);
    } finally {
      await second.stop();
    }
  }, 60_000);

  it('after the oldest entries are trimmed, a page that reconnects gets the ones after its Last-Event-ID: none missed, none twice', async () => {
    // A Redis prefix of its own: thread keys (platform, channel, root id) repeat from one test bot to the next.
    const own = redisPrefix();
    const config = {
      redis: { url: REDIS_URL, prefix: own.prefix },
      access: { users: [{ key: OPS, roles: ['deployer' as const] }] },
      deploy: { targets: [{ name: 'docs', kind: 'webhook' as const, url: hooks.url('/ok') }] },
    };
    const bot = await webBot(config);
    const redis = new Redis(REDIS_URL);
    try {
      const id = /job (d[a-z0-9]{6})/.exec((await bot.say(OPS, '/deploy docs main')).text)?.[1] ?? '';
      await until(async () => (await bot.app.services.deploys?.queue.get(id))?.state === 'finished');
      const cookie = await bot.signIn(OPS);
      const events = async (last?: string) => {
        const res = await fetch(`${bot.base}/web/jobs/${id}/events`, { headers: { cookie, ...(last ? { 'last-event-id': last } : {}) } });
        return [...(await res.text()).matchAll(/^id: (\d+-\d+)\nevent: (\w+)\ndata: (.*)$/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
      };
      const all = await events();
      expect(all.length).toBeGreaterThan(3);
      // The page saw all but the last two, then lost its connection; meanwhile the stream was trimmed to those two.
      const seen = all.at(-3)?.split(' ')[0] ?? '';
      // The job's thread stream: the one that holds the entry the page saw.
      const streams = await Promise.all((await redis.keys(`${own.prefix}:thread:*`)).map(async (k) => [k, await redis.xrange(k, '-', '+')] as const));
      const thread = streams.find(([, entries]) => entries.some(([entryId]) => entryId === seen))?.[0];
      expect(thread).toBeDefined();
      // MINID: everything older than the last two events goes (an entry that is no event, a stream's close, may follow them).
      await redis.xtrim(thread ?? '', 'MINID', all.at(-2)?.split(' ')[0] ?? '');
      expect((await redis.xrange(thread ?? '', '-', '+')).some(([entryId]) => entryId === seen)).toBe(false);
      expect(await events(seen)).toEqual(all.slice(-2));
      // Trimmed past what the page saw: what is gone is gone, and nothing it saw comes again.
      await redis.xtrim(thread ?? '', 'MINID', all.at(-1)?.split(' ')[0] ?? '');
      expect(await events(seen)).toEqual(all.slice(-1));
    } finally {
      redis.disconnect();
      await bot.stop();
      await own.cleanup();
    }
  }, 60_000);
});
