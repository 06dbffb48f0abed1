import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { JobBeats } from '../../src/services/queue/job-beats.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

const prefix = redisPrefix();
const redis = new Redis(REDIS_URL);
afterAll(async () => {
  await prefix.cleanup();
  redis.disconnect();
});

describe('JobBeats (worker heartbeats in Redis)', () => {
  it('counts a job silent once its worker stops reporting, and gives each loss to exactly one caller', async () => {
    const beats = new JobBeats(redis, `${prefix.prefix}:burn:jobs:beats`, 100, pino({ level: 'silent' }));
    const worker = await beats.start('b1');
    expect(await beats.silentMs('b1')).toBeUndefined();
    worker.stop();
    const silent = await until(() => beats.silentMs('b1'), { what: 'b1 to be silent for 1.5 heartbeats' });
    expect(silent).toBeGreaterThan(150);
    const { beats: all } = await beats.all();
    const last = all.get('b1')!;
    // Many processes see the same silence: one of them tells the thread.
    const claims = await Promise.all(Array.from({ length: 8 }, () => beats.claim('b1', last)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    // A worker that reported since (it was only slow, or another took the job) is not lost under the old report.
    const again = await beats.start('b1');
    again.stop();
    expect(await beats.claim('b1', '0')).toBe(false);
    await beats.ended('b1');
    expect((await beats.all()).beats.has('b1')).toBe(false);
  });
});
