import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HookServer } from '../../helpers/hook-server.js';
import { REDIS_URL, redisPrefix } from '../../helpers/redis.js';
import { until } from '../../helpers/until.js';
import { webBot } from '../../helpers/web-bot.js';

// docs/web.md, "Live updates": a job page that reconnects with Last-Event-ID after the bot serving it
// restarted gets exactly what it missed: events are numbered by their place in the thread's Redis stream.
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
      return [...(await res.text()).matchAll(/^id: (\d+)\nevent: (\w+)\ndata: (.*)$/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
    };
    const all = await events(first.base);
    expect(all.length).toBeGreaterThan(2);
    expect(all.at(-1)).toMatch(/ final /);
    await first.stop();

    // A new process on the same Redis: the same session, the same numbering.
    const second = await webBot(config);
    try {
      expect(await events(second.base, '2')).toEqual(all.slice(2));
      expect(await events(second.base, String(all.length))).toEqual([]);
    } finally {
      await second.stop();
    }
  }, 60_000);
});
