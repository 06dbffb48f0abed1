import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BullClock } from '../../src/schedules/bull-clock.js';
import { ChannelPosters, RoutingOutbox } from '../../src/schedules/outbox.js';
import type { ClockEntry, Post } from '../../src/schedules/types.js';
import { until } from '../helpers/until.js';
import { RecordingPoster } from '../helpers/recording-poster.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';

const log = pino({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A process's clock and posters: `platforms` are the ones it can post to. */
function processWith(prefix: string, ...posters: RecordingPoster[]) {
  const local = new ChannelPosters();
  for (const p of posters) local.add(p);
  const clock = new BullClock({ url: REDIS_URL, prefix, log, post: (t, p) => local.get(t.platform)!.post(t.channel, p) });
  cleanups.push(() => clock.close());
  return { clock, outbox: new RoutingOutbox(local, clock, log), platforms: local.platforms() };
}

const post: Post = { reply: { text: '✘ burn of a.iso on dvd1 failed', visibility: 'channel' }, mentions: ['console:oncall'] };
const hourly: ClockEntry = { name: 'digest', platform: 'console', channel: 'ops', everyMs: 3_600_000, timezone: 'UTC' };

describe('posts and runs for a platform this process cannot post to', () => {
  it('are handed through Redis to a process that can', async () => {
    const r = redisPrefix();
    cleanups.push(() => r.cleanup());
    const worker = processWith(r.prefix);
    const consolePoster = new RecordingPoster('console');
    const shell = processWith(r.prefix, consolePoster);
    const ran: string[] = [];
    await shell.clock.start([hourly], shell.platforms, async (name, tick) => void ran.push(`${name} ${tick.manual}`));
    await until(() => ran.length === 1); // an every scheduler's first tick is at once

    await worker.outbox.deliver({ platform: 'console', channel: 'alerts' }, post);
    await until(() => consolePoster.posts.length === 1);
    expect(consolePoster.posts[0]).toEqual({ channel: 'alerts', text: '✘ burn of a.iso on dvd1 failed', mentions: ['console:oncall'] });

    expect(await worker.clock.handOff(hourly)).toBe(true);
    await until(() => ran.length === 2);
    expect(ran).toEqual(['digest false', 'digest true']);
  });

  it('are refused when no process can take them, and schedulers gone from the config are removed', async () => {
    const r = redisPrefix();
    cleanups.push(() => r.cleanup());
    const q = new Queue('schedules.console', { connection: { url: REDIS_URL }, prefix: r.prefix });
    cleanups.push(() => q.close());
    await q.upsertJobScheduler('retired', { every: 3_600_000 }, { name: 'tick', data: { name: 'retired' } });
    const lone = processWith(r.prefix);
    expect(await lone.clock.handOff(hourly)).toBe(false);

    const shell = processWith(r.prefix, new RecordingPoster('console'));
    await shell.clock.start([hourly], shell.platforms, async () => undefined);
    expect((await q.getJobSchedulers()).map((s) => s.key)).toEqual(['digest']);
    expect((await shell.clock.nextRun(hourly))?.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });
});
