import { pino } from 'pino';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { DEPLOY_KIND, deployResultSchema, type DeployJobData, type DeployProgress, type DeployResult } from '../../../src/services/deploy/types.js';
import { BullJobQueue } from '../../../src/services/queue/bull-jobs.js';
import { EndMarks } from '../../../src/services/queue/end-marks.js';
import { REDIS_URL, redisPrefix } from '../../helpers/redis.js';

const log = pino({ level: 'silent' });
const redis = redisPrefix();
const raw = new Redis(REDIS_URL);
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
  raw.disconnect();
  await redis.cleanup();
});
const dee = { key: 'console:dee', name: 'dee' };
const data: DeployJobData = { target: 'site', ref: 'v1', requester: dee, thread: { platform: 'test', channel: 'room', rootId: 'm0', requester: dee }, requestedAt: new Date().toISOString() };

describe('a job\'s end marks (src/services/queue/end-marks.ts)', () => {
  it('read back what a worker wrote, even a failure without a message and texts past the bound', async () => {
    const marks = new EndMarks<DeployResult>(raw, `${redis.prefix}:deploy:jobs:end`, deployResultSchema, log);
    const line = await marks.line('dmark01');
    await line.decided({ outcome: 'failed', settled: { error: undefined as unknown as string }, status: '✘ failed', text: 'x'.repeat(200_000) });
    const read = await marks.read('dmark01');
    expect(read).toMatchObject({ state: 'decided', outcome: 'failed', settled: { error: 'failed' }, status: '✘ failed' });
    expect(read?.text).toHaveLength(100_000);
  });

  it('make a queued job whose end its lost worker decided one that cannot be cancelled: it has ended', async () => {
    const q = new BullJobQueue<DeployJobData, DeployResult, DeployProgress>({ url: REDIS_URL, prefix: redis.prefix, lockDurationMs: 2000, stalledIntervalMs: 500, log }, DEPLOY_KIND);
    closers.push(() => q.close());
    await q.add('dmark02', data);
    // As a lost worker leaves it: its end told, the job back in the queue for the next worker to settle.
    const marks = new EndMarks<DeployResult>(raw, `${redis.prefix}:deploy:jobs:end`, deployResultSchema, log);
    const line = await marks.line('dmark02');
    await line.decided({ outcome: 'ok', settled: { result: { outcome: 'ok', ok: true, message: 'HTTP 202', httpStatus: 202, durationMs: 5 } }, status: '✔', text: 'deploy of site v1 finished ✔' });
    await line.told();
    expect(await q.removeQueued('dmark02')).toBe('finished');
    expect((await q.get('dmark02'))?.state).toBe('queued');
    // One without a mark is removed as before.
    await q.add('dmark03', data);
    expect(await q.removeQueued('dmark03')).toBe('removed');
  });
});
