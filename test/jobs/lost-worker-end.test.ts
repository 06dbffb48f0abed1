import { Redis } from 'ioredis';
import { Worker } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveThread } from '../../src/core/live-thread.js';
import { deployEnds, deployStart } from '../../src/jobs/job-ends.js';
import { JobRecorder } from '../../src/jobs/job-recorder.js';
import { WORKER_GONE_TEXT, WORKER_LOST_STATUS, watchLostWorkers } from '../../src/jobs/lost-workers.js';
import { Transports } from '../../src/relay/transports.js';
import { createPool, Db, MysqlJobLog } from '../../src/services/db/index.js';
import { DEPLOY_KIND, type DeployJobData, type DeployProgress, type DeployResult } from '../../src/services/deploy/types.js';
import { BullJobQueue, type BullOptions } from '../../src/services/queue/bull-jobs.js';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, type TestDatabase } from '../helpers/mysql.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { RecordingTransport, texts } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';

const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
const redis = redisPrefix();
let db: TestDatabase;
const closers: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
  await redis.cleanup();
  await db?.drop();
});

const who = { key: 'console:dee', name: 'dee' };

describe('a job its queue gives up while its worker is lost (BullMQ: stalled more than maxStalledCount times)', () => {
  it('is ended once, in MySQL and in its thread, by one of the live processes, also when the first try to record it fails; its heartbeat entry goes', async () => {
    const pool = createPool({ host: MYSQL_HOST, port: MYSQL_PORT, user: db.appUser, password: db.appPassword, database: db.name, timeoutMs: 5000, poolSize: 2 });
    closers.push(() => pool.end());
    const store = new MysqlJobLog(new Db(pool, 5000, log));
    const opts: BullOptions = { url: REDIS_URL, prefix: redis.prefix, lockDurationMs: 1000, stalledIntervalMs: 300, heartbeatMs: 100, log };
    const transport = new RecordingTransport();
    const transports = new Transports();
    transports.add(transport);
    const thread = (await LiveThread.open(transport.starter(who), transport, 'deploying site at v1 (job dgone01)', 'queued')).ref;
    const data: DeployJobData = { target: 'site', ref: 'v1', requester: who, thread, requestedAt: new Date().toISOString() };

    // A worker takes the job, records its start and a line, and dies without a word (closing leaves its job and heartbeat, as a SIGKILL does).
    const dying = new BullJobQueue<DeployJobData, DeployResult, DeployProgress>(opts, DEPLOY_KIND);
    await dying.add('dgone01', data);
    let began: () => void = () => undefined;
    const running = new Promise<void>((r) => (began = r));
    dying.work(['site'], async (id, d) => {
      const record = new JobRecorder(store, id, deployStart(id, d, new Date()), log);
      record.line('running: deploy.sh v1');
      await record.flush();
      began();
      return new Promise<DeployResult>(() => undefined);
    });
    await running;
    await dying.close();

    // Two live processes watch; the line "worker lost" comes first, while the job is still active.
    const live = [1, 2].map(() => new BullJobQueue<DeployJobData, DeployResult, DeployProgress>(opts, DEPLOY_KIND));
    for (const q of live) closers.push(() => q.close());
    // Each watcher's sweeps, counted, so the test can let a few more pass and see that nothing more happens.
    const sweeps = live.map(() => 0);
    live.forEach((q, i) => {
      const look = q.silent.bind(q);
      q.silent = () => look().finally(() => (sweeps[i] = (sweeps[i] ?? 0) + 1));
    });
    // The first try to record the end fails (MySQL away for a moment): the loss is given back and taken again.
    let failEnds = 1;
    const flaky = new Proxy(store, {
      get(target, key) {
        if (key === 'end' && failEnds > 0)
          return async () => {
            failEnds--;
            throw new Error('MySQL went away for a moment');
          };
        const v: unknown = Reflect.get(target, key, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const watches = live.map((q) => watchLostWorkers(q, transports, log, 50, deployEnds(flaky)));
    closers.push(async () => watches.forEach((w) => w.stop()));
    await until(() => texts(transport.messages).includes(`${WORKER_LOST_STATUS} (job dgone01)`), { what: 'the loss told' });
    expect(await store.get('dgone01')).toMatchObject({ summary: 'deploy of site v1' });
    expect((await store.get('dgone01'))?.endedAt).toBeUndefined();

    // Then BullMQ gives the job up, as it does once a job stalled more than maxStalledCount times (0 here, 5 in opsline's workers).
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const strict = new Worker('deploy.site', async () => { throw new Error('never handed a job here'); }, { connection, prefix: redis.prefix, maxStalledCount: 0, stalledInterval: 300, lockDuration: 1000 });
    closers.push(async () => { await strict.close(true); connection.disconnect(); });
    await until(async () => (await live[0]!.get('dgone01'))?.state === 'failed', { timeoutMs: 20_000, what: 'BullMQ to fail the stalled job' });

    await until(async () => (await store.get('dgone01'))?.endedAt !== undefined, { timeoutMs: 10_000, what: 'the end recorded' });
    const finals = () => texts(transport.messages).filter((t) => t.includes(WORKER_GONE_TEXT));
    await until(() => finals().length > 0, { what: 'the thread ended' });
    await until(async () => (await live[0]!.silent()).length === 0, { what: 'the heartbeat entry dropped' });
    // Three more sweeps of both watchers: nothing more is said or written.
    const after = [...sweeps];
    await until(() => sweeps.every((n, i) => n >= (after[i] ?? 0) + 3), { what: 'more sweeps' });

    expect(failEnds).toBe(0);
    const r = await store.get('dgone01');
    expect(r).toMatchObject({ outcome: 'lost', ok: false, summary: 'deploy of site v1' });
    expect(r?.result).toBe(`${WORKER_GONE_TEXT} (job stalled more than allowable limit)`);
    expect(await db.sql<{ n: number }>("SELECT COUNT(*) AS n FROM job_ends WHERE job_id = 'dgone01'")).toEqual([{ n: 1 }]);
    expect(finals()).toEqual([`@dee ${WORKER_GONE_TEXT} (job dgone01)`]);
    expect(texts(transport.messages).filter((t) => t.startsWith(WORKER_LOST_STATUS))).toHaveLength(1);
    expect(await store.lines('dgone01', 0, 10)).toEqual([{ n: 1, text: 'running: deploy.sh v1' }]);
  }, 60_000);
});
