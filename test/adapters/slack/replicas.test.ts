import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { RecentKeys, RedisSeenKeys } from '../../../src/services/seen-keys.js';
import { REDIS_URL, redisPrefix } from '../../helpers/redis.js';
import { startSlackBot, type SlackBot } from '../../helpers/slack-bot.js';

const log = pino({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function replica(prefix: string): Promise<SlackBot> {
  const bot = await startSlackBot({ seen: new RedisSeenKeys(REDIS_URL, prefix, new RecentKeys(), log) });
  cleanups.push(() => bot.stop());
  return bot;
}

describe('Slack retries across replicas', () => {
  it('runs a command once when its retry reaches another replica', async () => {
    const r = redisPrefix();
    cleanups.push(() => r.cleanup());
    const [a, b] = [await replica(r.prefix), await replica(r.prefix)];
    const trigger = `replica-${Date.now()}`;
    expect((await a.command('/note add exactly once', {}, { trigger })).json?.text).toMatch(/^note #3 saved/);
    const retry = await b.command('/note add exactly once', {}, { trigger, retryNum: 1 });
    expect(retry.status).toBe(200);
    expect(retry.text).toBe('');
    expect((await b.app.services.notes.list(50)).map((n) => n.body)).not.toContain('exactly once');
    expect((await b.command('/note add a new one')).json?.text).toMatch(/^note #3 saved/);
  });

  it('falls back to the replica’s own memory while Redis cannot answer', async () => {
    const seen = new RedisSeenKeys('redis://127.0.0.1:1', 'unused', new RecentKeys(), log);
    cleanups.push(async () => seen.close());
    expect(await seen.firstSeen('t1')).toBe(true);
    expect(await seen.firstSeen('t1')).toBe(false);
  });
});
