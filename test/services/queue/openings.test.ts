import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { DEPLOY_KIND, type DeployJobData, type DeployProgress, type DeployResult } from '../../../src/services/deploy/types.js';
import { BullJobQueue } from '../../../src/services/queue/bull-jobs.js';
import { GIVEN_UP } from '../../../src/services/queue/openings.js';
import { threadPosted } from '../../../src/services/queue/thread-posted.js';
import { startOwnRedis, type OwnRedis } from '../../helpers/redis-server.js';
import { until } from '../../helpers/until.js';

/**
 * A job's opening (src/services/queue/openings.ts, docs/hosting.md "What a SIGKILL loses") under a Redis
 * that holds writes (CLIENT PAUSE, as a failover or a stall does), a clock that is off, and a sweep racing
 * the queueing. A Redis of this file's own: CLIENT PAUSE holds every client of the server.
 */
const log = pino({ level: 'silent' });
const who = { key: 'console:dee', name: 'dee' };
const intent = { platform: 'test', channel: 'room', requester: who, what: 'deploy of site v1' };
const data = (id: string): DeployJobData => ({ target: 'site', ref: 'v1', requester: who, thread: { platform: 'test', channel: 'room', rootId: `root-${id}`, requester: who }, requestedAt: new Date().toISOString() });

let redis: OwnRedis;
let admin: Redis;
const closers: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  redis = await startOwnRedis();
  admin = new Redis(redis.url);
});
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of closers.splice(0).reverse()) await c();
});
afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
});

let n = 0;
function queue() {
  const q = new BullJobQueue<DeployJobData, DeployResult, DeployProgress>({ url: redis.url, prefix: `op${++n}`, lockDurationMs: 2000, stalledIntervalMs: 500, log }, DEPLOY_KIND);
  closers.push(() => q.close());
  return q;
}
const stamp = (prefix: string, id: string) => admin.hget(`${prefix}:deploy:openings:at`, id);

describe('a job\'s opening', () => {
  it('keeps its lease when a refresh Redis held lands after it gave up on it', async () => {
    const q = queue();
    await q.intend('dlate01', intent);
    const first = await stamp(`op${n}`, 'dlate01');
    // Writes wait 3.5 s: the refresh sent at 2 s gives up at 3 s (its bound) and lands at 3.5 s.
    await admin.call('CLIENT', 'PAUSE', '3500', 'WRITE');
    await until(async () => (await stamp(`op${n}`, 'dlate01')) !== first, { timeoutMs: 10_000, what: 'the held refresh landed' });
    // Its record is the request's still: the thread is recorded, the job queued.
    expect(await q.opening('dlate01', data('dlate01'))).toBe(true);
    await q.add('dlate01', data('dlate01'));
    expect((await q.get('dlate01'))?.state).toBe('queued');
  });

  it('whose recording after the thread Redis holds past its bound says nothing was queued and is taken back', async () => {
    const q = queue();
    await q.intend('dheld01', intent);
    await admin.call('CLIENT', 'PAUSE', '1500', 'WRITE');
    const err = await q.opening('dheld01', data('dheld01')).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/^the queue is unavailable; nothing was queued/);
    // Once Redis takes writes again, the take-back lands behind the write: no sweep will find it.
    await until(async () => (await admin.hlen(`op${n}:deploy:openings`)) === 0, { what: 'the opening taken back' });
    expect(await q.staleOpenings(0)).toEqual([]);
  });

  it('is aged on Redis\'s clock, not on the clock of the process that wrote it', async () => {
    const q = queue();
    // This process's clock is a minute behind: on its own clock the opening would look a minute old at once.
    const real = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => real() - 60_000);
    await q.intend('dskew01', intent);
    vi.restoreAllMocks();
    expect(await q.staleOpenings(10_000)).toEqual([]);
    expect((await q.staleOpenings(-1)).map((o) => o.id)).toEqual(['dskew01']);
  });

  it('taken by a sweep after the thread was recorded: queueing refuses, nothing is queued', async () => {
    const q = queue();
    await q.intend('drace01', intent);
    expect(await q.opening('drace01', data('drace01'))).toBe(true);
    const [stale] = await q.staleOpenings(-1);
    expect(await q.claimOpening(stale!)).toBe(true);
    const err = await q.add('drace01', data('drace01')).then(() => undefined, (e: unknown) => e);
    expect((err as UserError).message).toBe(GIVEN_UP);
    expect(await q.get('drace01')).toBeUndefined();
    // And a request whose refresh found it taken learns it before it posts anything more.
    await q.intend('drace02', intent);
    const [taken] = await q.staleOpenings(-1);
    expect(await q.claimOpening(taken!)).toBe(true);
    const refused = await threadPosted(q, 'drace02', data('drace02')).then(() => undefined, (e: unknown) => e);
    expect((refused as UserError).message).toBe(GIVEN_UP);
  });

  it('of a job being queued is not taken; of one whose process died between the index and BullMQ it is', async () => {
    const q = queue();
    await q.intend('dqueu01', intent);
    await q.opening('dqueu01', data('dqueu01'));
    await q.add('dqueu01', data('dqueu01'));
    // Queued: nothing is left to take. One written again after queueing (a leftover) is dropped, not claimed.
    await admin.hset(`op${n}:deploy:openings`, 'dqueu01', JSON.stringify({ lease: 'l1', data: data('dqueu01') }));
    const [left] = await q.staleOpenings(-1);
    expect(await q.claimOpening(left!)).toBe(false);
    expect(await q.staleOpenings(-1)).toEqual([]);
    expect((await q.get('dqueu01'))?.state).toBe('queued');
    // The index written, then the process died before BullMQ had the job: the sweep takes it.
    await q.intend('ddied01', intent);
    await q.opening('ddied01', data('ddied01'));
    await admin.hset(`op${n}:deploy:jobs`, 'ddied01', 'deploy.site');
    const [died] = await q.staleOpenings(-1);
    expect(await q.claimOpening(died!)).toBe(true);
  });
});
