import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.js';
import type { ThreadRef } from '../../src/core/thread.js';
import { LiveThread } from '../../src/core/live-thread.js';
import { watchUnqueued, UNQUEUED_TEXT } from '../../src/jobs/unqueued.js';
import { Transports } from '../../src/relay/transports.js';
import { RedisDeployStore } from '../../src/services/deploy/redis-store.js';
import { DeployService } from '../../src/services/deploy/service.js';
import { DEPLOY_KIND, type DeployJobData, type DeployProgress, type DeployResult } from '../../src/services/deploy/types.js';
import { BullJobQueue } from '../../src/services/queue/bull-jobs.js';
import { BullBurnQueue } from '../../src/services/queue/bullmq.js';
import { BurnService } from '../../src/services/burns.js';
import type { DeviceClient } from '../../src/services/devices/types.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { RecordingTransport, texts } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';
import { burnEnds, deployEnds } from '../../src/jobs/job-ends.js';
import { MemoryJobLog } from '../../src/services/job-log/memory.js';
import { threadPosted } from '../../src/services/queue/thread-posted.js';
import { GIVEN_UP } from '../../src/services/queue/openings.js';
import { UserError } from '../../src/core/errors.js';

const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
const redis = redisPrefix();
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
  await redis.cleanup();
});

const who = { key: 'console:dee', name: 'dee' };
const targets = buildConfig({ deploy: { targets: [{ name: 'site', kind: 'webhook', url: 'http://127.0.0.1:9/ok' }, { name: 'docs', kind: 'webhook', url: 'http://127.0.0.1:9/ok' }] } }, 'test').deploy!.targets;

/** One replica's view: the queue, the lock store and the deploy service on the shared Redis prefix. */
function replica() {
  const queue = new BullJobQueue<DeployJobData, DeployResult, DeployProgress>({ url: REDIS_URL, prefix: redis.prefix, lockDurationMs: 2000, stalledIntervalMs: 500, log }, DEPLOY_KIND);
  const store = new RedisDeployStore({ url: REDIS_URL }, redis.prefix, log);
  closers.push(() => queue.close(), () => store.close());
  return { queue, store, service: new DeployService(targets, queue, store) };
}

describe('a job left between its thread and the queue (docs/hosting.md, "What a SIGKILL loses")', () => {
  it('is found by one live process, which frees the target and finishes the thread once; a queued job is left alone', async () => {
    const transport = new RecordingTransport();
    const transports = new Transports();
    transports.add(transport);
    const dead = replica();
    const [live1, live2] = [replica(), replica()];
    const thread = async (text: string): Promise<ThreadRef> => (await LiveThread.open(transport.starter(who), transport, text, 'queued')).ref;
    const data = (target: string, ref: string, t: ThreadRef): DeployJobData => ({ target, ref, requester: who, thread: t, requestedAt: new Date().toISOString() });

    // The dead replica posted the thread, recorded the opening and took the lock, then died before queueing.
    const lostThread = await thread('deploying site at v1 (job dlost01)');
    await dead.queue.opening('dlost01', data('site', 'v1', lostThread));
    expect((await dead.store.lock('site', { by: who, since: new Date().toISOString(), jobId: 'dlost01', reason: 'deploy v1' })).ok).toBe(true);
    // Another deploy went all the way (queued: its opening is gone), and one died just after queueing (its opening stayed).
    await live1.service.start('dgood01', targets[1]!, 'v2', who, await thread('deploying docs at v2 (job dgood01)'));
    const queuedThread = await thread('deploying docs at v3 (job dlate01)');
    await dead.queue.opening('dlate01', data('docs', 'v3', queuedThread));
    await dead.queue.add('dlate01', data('docs', 'v3', queuedThread));
    await dead.queue.opening('dlate01', data('docs', 'v3', queuedThread));

    // Two live replicas sweep at once, each recording into the one job log (MySQL's, in production).
    const store = new MemoryJobLog();
    const sweep = { everyMs: 50, olderThanMs: 0, abandon: (id: string, d: DeployJobData) => live1.service.releaseFor(d.target, id, 1), ends: deployEnds(store) };
    const watches = [watchUnqueued(live1.queue, transports, log, sweep), watchUnqueued(live2.queue, transports, log, sweep)];
    const told = () => texts(transport.messages).filter((t) => t.endsWith(UNQUEUED_TEXT));
    await until(() => told().length > 0, { what: 'the lost thread told' });
    await until(async () => (await live1.queue.staleOpenings(0)).length === 0, { what: 'every opening swept' });
    for (const w of watches) w.stop();

    expect(told()).toEqual([`@dee ${UNQUEUED_TEXT}`]);
    expect(transport.messages.filter((m) => m.kind === 'edit').map((m) => m.text)).toEqual([expect.stringMatching(/✘ not queued/)]);
    expect(await live2.store.holder('site')).toBeUndefined();
    // The queued ones keep their lock and their job.
    expect((await live2.store.holder('docs'))?.jobId).toBe('dgood01');
    expect((await live2.queue.get('dlate01'))?.state).toBe('queued');
    // The lost one's end is recorded, once; the queued ones have no end (their workers record theirs).
    expect((await store.history(10)).map((r) => [r.id, r.kind, r.summary, r.requesterKey, r.outcome, r.result])).toEqual([['dlost01', 'deploy', 'deploy of site v1', who.key, 'not_queued', UNQUEUED_TEXT]]);
  });

  it('a burn queued all the way leaves no opening; one whose process died before queueing is told once', async () => {
    const transport = new RecordingTransport();
    const transports = new Transports();
    transports.add(transport);
    const queue = new BullBurnQueue({ url: REDIS_URL, prefix: redis.prefix, lockDurationMs: 2000, stalledIntervalMs: 500, log });
    closers.push(() => queue.close());
    // add() does not ask the agents; the device client is not reached.
    const burns = new BurnService(undefined as unknown as DeviceClient, queue);
    const open = async (text: string) => (await LiveThread.open(transport.starter(who), transport, text, 'queued')).ref;
    await burns.add('bgood01', { agent: 'a1', drive: 'd1' }, 'release.iso', true, who, await open('burning release.iso on d1 (job bgood01)'));
    expect(await queue.staleOpenings(0)).toEqual([]);
    const lost = await open('burning release.iso on d2 (job blost01)');
    await queue.opening('blost01', { agent: 'a1', drive: 'd2', image: 'release.iso', verify: true, requester: who, thread: lost, requestedAt: new Date().toISOString() });
    const store = new MemoryJobLog();
    const w = watchUnqueued(queue, transports, log, { everyMs: 50, olderThanMs: 0, abandon: async () => {}, ends: burnEnds(store) });
    await until(() => texts(transport.messages).some((t) => t.endsWith(UNQUEUED_TEXT)), { what: 'the lost burn thread told' });
    w.stop();
    expect(texts(transport.messages).filter((t) => t.endsWith(UNQUEUED_TEXT))).toHaveLength(1);
    expect((await queue.get('bgood01'))?.state).toBe('queued');
    expect(await queue.get('blost01')).toBeUndefined();
    expect((await store.history(10)).map((r) => [r.id, r.summary, r.outcome])).toEqual([['blost01', 'burn of release.iso on d2', 'not_queued']]);
  });
});

describe('an opening written before its thread is posted (its root\'s id not yet known)', () => {
  const intent = (what: string) => ({ platform: 'test', channel: 'room', requester: who, what });
  const sweepWith = (queue: BullJobQueue<DeployJobData, DeployResult, DeployProgress>, transports: Transports, olderThanMs: number) =>
    watchUnqueued(queue, transports, log, { everyMs: 50, olderThanMs, abandon: async () => {} });

  it('of a process that died is told in its channel once, naming the job, by one of two sweeping processes', async () => {
    const transport = new RecordingTransport();
    const transports = new Transports();
    transports.add(transport);
    const dead = replica();
    await dead.queue.intend('dgone01', intent('deploy of site v9'));
    // Dead: it neither posts nor refreshes any more.
    await dead.queue.close();
    const [live1, live2] = [replica(), replica()];
    const watches = [sweepWith(live1.queue, transports, 0), sweepWith(live2.queue, transports, 0)];
    const told = () => transport.messages.filter((m) => m.kind === 'channel').map((m) => m.text);
    await until(() => told().length > 0, { what: 'the channel told' });
    await until(async () => (await live1.queue.staleOpenings(0)).length === 0, { what: 'the opening swept' });
    for (const w of watches) w.stop();
    expect(told()).toEqual([`@dee deploy of site v9 (job dgone01): ${UNQUEUED_TEXT}`]);
    expect(transport.messages.filter((m) => m.kind !== 'channel')).toEqual([]);
    expect(await live1.queue.get('dgone01')).toBeUndefined();
  });

  it('of a live request whose post waits longer than a sweep waits is kept fresh, and its job is queued', async () => {
    const transport = new RecordingTransport();
    const transports = new Transports();
    transports.add(transport);
    const live = replica();
    const raw = new Redis(REDIS_URL);
    closers.push(async () => raw.disconnect());
    // The sweep takes openings older than 3 s; the post "waits" until the record has been refreshed twice (4 s and more).
    const w = sweepWith(live.queue, transports, 3000);
    await live.queue.intend('dslow01', intent('deploy of site v10'));
    // Each refresh stamps it again on Redis's clock (the record itself stays as it is).
    const seen = new Set<string>();
    await until(async () => (seen.add((await raw.hget(`${redis.prefix}:deploy:openings:at`, 'dslow01')) ?? 'gone'), seen.size >= 3), { timeoutMs: 15_000, what: 'the opening refreshed twice' });
    expect(seen.has('gone')).toBe(false);
    const t = (await LiveThread.open(transport.starter(who), transport, 'deploying site at v10 (job dslow01)', 'queued')).ref;
    const data: DeployJobData = { target: 'site', ref: 'v10', requester: who, thread: t, requestedAt: new Date().toISOString() };
    expect(await live.queue.opening('dslow01', data)).toBe(true);
    await live.queue.add('dslow01', data);
    w.stop();
    expect((await live.queue.get('dslow01'))?.state).toBe('queued');
    expect(await raw.hexists(`${redis.prefix}:deploy:openings`, 'dslow01')).toBe(0);
    expect(await raw.hexists(`${redis.prefix}:deploy:openings:at`, 'dslow01')).toBe(0);
    expect(transport.messages.filter((m) => m.kind === 'channel')).toEqual([]);
  });

  it('taken by a sweep while its request stalled: the request learns it and queues nothing', async () => {
    const transport = new RecordingTransport();
    const transports = new Transports();
    transports.add(transport);
    const live = replica();
    await live.queue.intend('dstal01', intent('deploy of site v11'));
    // A sweep that waits for nothing takes it at once, as it would one not refreshed for unqueuedAfterMs.
    const w = sweepWith(live.queue, transports, 0);
    await until(() => transport.messages.some((m) => m.kind === 'channel'), { what: 'the channel told' });
    w.stop();
    const t = (await LiveThread.open(transport.starter(who), transport, 'deploying site at v11 (job dstal01)', 'queued')).ref;
    const data: DeployJobData = { target: 'site', ref: 'v11', requester: who, thread: t, requestedAt: new Date().toISOString() };
    const refused = await threadPosted(live.queue, 'dstal01', data).then(() => undefined, (err: unknown) => err);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).code).toBe('unavailable');
    expect((refused as UserError).message).toBe(GIVEN_UP);
    expect(await live.queue.staleOpenings(0)).toEqual([]);
  });
});

describe('openings that do not read (a hostile or broken record in Redis)', () => {
  it('are each logged and dropped; the sweep goes on and ends the one real lost job', async () => {
    const transport = new RecordingTransport();
    const transports = new Transports();
    transports.add(transport);
    const warnings: { msg: string; jobId?: string; problem?: string }[] = [];
    const seen = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line) as { msg: string }) });
    const queue = new BullBurnQueue({ url: REDIS_URL, prefix: redis.prefix, lockDurationMs: 2000, stalledIntervalMs: 500, log: seen });
    closers.push(() => queue.close());
    const lost = (await LiveThread.open(transport.starter(who), transport, 'burning release.iso on d3 (job breal01)', 'queued')).ref;
    const good = { agent: 'a1', drive: 'd3', image: 'release.iso', verify: true, requester: who, thread: lost, requestedAt: new Date().toISOString() };
    await queue.opening('breal01', good);
    const hostile: Record<string, string> = {
      bjson001: 'not json {',
      bnull001: 'null',
      bnum0001: '42',
      bnoat001: JSON.stringify({ data: good }),
      bat00001: JSON.stringify({ at: 'yesterday', data: good }),
      bproto01: `{"at":0,"data":{"__proto__":{"polluted":1},"agent":"a1"}}`,
      bthread1: JSON.stringify({ at: 0, data: { ...good, thread: { platform: 'test', channel: 'room' } } }),
      bplat001: JSON.stringify({ at: 0, data: { ...good, thread: { ...lost, platform: 'x'.repeat(10_000) } } }),
      bimage01: JSON.stringify({ at: 0, data: { ...good, image: '../../etc/passwd' } }),
      bwho0001: JSON.stringify({ at: 0, data: { ...good, requester: { key: 42, name: 'x' } } }),
      '../../x': JSON.stringify({ at: 0, data: good }),
    };
    // The same in today's records (an older version's are above, under the old key), and intents that do not read.
    const hostileNow: Record<string, string> = {
      bjson002: 'not json {',
      bnull002: 'null',
      bnolease: JSON.stringify({ data: good }),
      blease02: JSON.stringify({ lease: 'x'.repeat(65), data: good }),
      bnone001: JSON.stringify({ lease: 'l1' }),
      bproto02: `{"lease":"l1","data":{"__proto__":{"polluted":1},"agent":"a1"}}`,
      bintent1: JSON.stringify({ lease: 'l1', intent: { platform: 'test', channel: '', requester: who, what: 'burn' } }),
      bintent2: JSON.stringify({ lease: 'l1', intent: { platform: 'test', channel: 'room', requester: who, what: 'x'.repeat(301) } }),
      bintent3: JSON.stringify({ lease: 'l1', intent: { platform: 'test', channel: 'room', requester: { key: 42 }, what: 'burn' } }),
      '../../y': JSON.stringify({ lease: 'l1', data: good }),
    };
    const raw = new Redis(REDIS_URL);
    closers.push(async () => raw.disconnect());
    await raw.hset(`${redis.prefix}:burn:opening`, hostile);
    await raw.hset(`${redis.prefix}:burn:openings`, hostileNow);
    const store = new MemoryJobLog();
    const w = watchUnqueued(queue, transports, seen, { everyMs: 50, olderThanMs: 0, abandon: async () => {}, ends: burnEnds(store) });
    await until(() => texts(transport.messages).some((t) => t.endsWith(UNQUEUED_TEXT)), { what: 'the real lost burn told' });
    await until(async () => (await raw.hlen(`${redis.prefix}:burn:opening`)) + (await raw.hlen(`${redis.prefix}:burn:openings`)) === 0, { what: 'every opening gone' });
    w.stop();
    const dropped = warnings.filter((l) => l.msg === 'a job opening in Redis does not read; dropped');
    expect(dropped.map((l) => l.jobId).sort()).toEqual([...Object.keys(hostile), ...Object.keys(hostileNow)].sort());
    expect(dropped.find((l) => l.jobId === 'bjson001')?.problem).toBe('not JSON');
    expect(dropped.find((l) => l.jobId === 'bimage01')?.problem).toMatch(/^data\.image: /);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(texts(transport.messages).filter((t) => t.endsWith(UNQUEUED_TEXT))).toEqual([`@dee ${UNQUEUED_TEXT}`]);
    expect((await store.history(10)).map((r) => [r.id, r.outcome])).toEqual([['breal01', 'not_queued']]);
  });
});
