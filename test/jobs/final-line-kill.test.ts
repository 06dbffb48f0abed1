import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { TOLD_AGAIN } from '../../src/jobs/final-line.js';
import { deployEnds } from '../../src/jobs/job-ends.js';
import { watchLostWorkers, WORKER_LOST_STATUS } from '../../src/jobs/lost-workers.js';
import { Transports } from '../../src/relay/transports.js';
import { Db, MysqlJobLog } from '../../src/services/db/index.js';
import { DEPLOY_KIND, type DeployJobData, type DeployProgress, type DeployResult } from '../../src/services/deploy/types.js';
import { BullJobQueue } from '../../src/services/queue/bull-jobs.js';
import { newJobId } from '../../src/services/queue/types.js';
import { startDeployWorker, type KillAt } from '../helpers/deploy-worker-child.js';
import { REDIS_URL } from '../helpers/redis.js';
import { RecordingTransport } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';
import { faultWorld } from '../helpers/fault-world.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const silent = pino({ level: 'silent' });
/** One line the worker child wrote for a thread call (test/helpers/deploy-worker-child.ts). */
const threadLine = z.object({ pid: z.number().int(), kind: z.string(), text: z.string() });
const dee = { key: 'slack:T1:UDEP', name: 'dee' };

/**
 * A webhook deploy target, a worker process that SIGKILLs itself at `killAt` in the job's end, and this
 * process as another replica: it watches for lost workers (as every process with the queue does) and
 * records what it posts. The second worker starts only once the first is dead.
 */
async function world(killAt: KillAt) {
  const { db, redis, hooks, dir } = await faultWorld(cleanups, 'final');
  const lines = join(dir, 'thread.jsonl');
  await writeFile(lines, '');
  // A dead worker's job moves on after 2 s; its silence is seen after 150 ms, well before.
  const jobs = { lockDurationMs: 2000, stalledIntervalMs: 500, heartbeatMs: 100 };
  const config = {
    redis: { url: REDIS_URL, prefix: redis.prefix },
    mysql: { url: db.appUrl() },
    jobs,
    deploy: { targets: [{ name: 'site', kind: 'webhook', url: hooks.url('/ok'), body: '{"ref":"{ref}"}' }] },
  };
  const worker = async (at: KillAt) => {
    const w = await startDeployWorker({ config, lines, killAt: at });
    cleanups.push(() => void w.kill('SIGKILL'));
    return w;
  };
  const queue = new BullJobQueue<DeployJobData, DeployResult, DeployProgress>({ url: REDIS_URL, prefix: redis.prefix, ...jobs, log: silent }, DEPLOY_KIND);
  cleanups.push(() => queue.close());
  const jobLog = new MysqlJobLog(new Db(db.admin, 5000, silent));
  // This replica's watch: which silent jobs it found told, and what it posted.
  const here = new RecordingTransport();
  const transports = new Transports();
  transports.add(here);
  const toldSeen: string[] = [];
  const watched = { silent: () => queue.silent(), claimLoss: (j: Parameters<typeof queue.claimLoss>[0]) => queue.claimLoss(j), endSilence: (id: string) => queue.endSilence(id), releaseLoss: (j: Parameters<typeof queue.releaseLoss>[0]) => queue.releaseLoss(j), endTold: async (id: string) => (await queue.endTold(id)) && toldSeen.push(id) > 0 };
  const watch = watchLostWorkers(watched, transports, silent, 50, deployEnds(jobLog));
  cleanups.push(() => watch.stop());

  const id = newJobId('d');
  const thread = { platform: 'test', channel: 'C1', rootId: 'r1', statusId: 's1', requester: dee };
  return {
    id,
    hooks,
    queue,
    here,
    toldSeen,
    db,
    first: await worker(killAt),
    next: () => worker('never'),
    deploy: () => queue.add(id, { target: 'site', ref: 'v1', requester: dee, thread, requestedAt: new Date().toISOString() }),
    /** The workers' final lines, in the order the platform took them. */
    finals: async () =>
      (await readFile(lines, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => threadLine.parse(JSON.parse(l)))
        .filter((l) => l.kind === 'final')
        .map((l) => l.text),
    ended: () => until(async () => {
      const j = await queue.get(id);
      return j?.state === 'finished' || j?.state === 'failed' ? j : undefined;
    }, { timeoutMs: 30_000 }),
    calls: () => hooks.requests.filter((r) => r.path === '/ok').length,
  };
}

describe('a worker killed after it told a job\'s end, before BullMQ recorded the job complete (docs/hosting.md, "What a SIGKILL loses")', () => {
  it('leaves the job to the next worker, which settles it as told: one final line, the webhook called once, one end recorded', async () => {
    const w = await world('told');
    await w.deploy();
    const [, signal] = (await once(w.first, 'exit')) as [number | null, string | null];
    expect(signal).toBe('SIGKILL');
    // Killed where meant: the line is posted, and BullMQ still holds the job as running (stalled).
    const [told, ...more] = await w.finals();
    expect([told, more]).toEqual([expect.stringMatching(/^deploy of site v1 finished ✔ \(HTTP 202, \d+:\d\d\)$/), []]);
    expect((await w.queue.get(w.id))?.state).toBe('running');
    // The other replica sees the worker's silence and says nothing: the thread has its end.
    await until(() => w.toldSeen.includes(w.id), { what: 'the lost-worker watch to find the silent job told' });

    const next = await w.next();
    const job = await w.ended();
    expect(await w.finals()).toEqual([told]);
    // BullMQ records the end the thread was told, not one of the next worker's.
    expect([job.state, job.result]).toEqual(['finished', expect.objectContaining({ outcome: 'ok', ok: true, httpStatus: 202 })]);
    expect(next.output()).toContain('settled as told');
    expect(w.here.messages.filter((m) => m.text.includes(WORKER_LOST_STATUS))).toEqual([]);
    expect(w.calls()).toBe(1);
    // The record: one end, the first worker's; nothing the next one said.
    const ends = await w.db.sql<{ outcome: string; result: string }>('SELECT outcome, result FROM job_ends WHERE job_id = ?', [w.id]);
    expect(ends.map((e) => [e.outcome, e.result])).toEqual([['ok', told]]);
    const said = await w.db.sql<{ line: string }>('SELECT line FROM job_output WHERE job_id = ? ORDER BY n', [w.id]);
    expect(said.map((l) => l.line).filter((l) => /re-attached|may have been sent|worker/.test(l))).toEqual([]);
  }, 120_000);

  it('killed once the end was decided but before the line was posted: the next worker posts that end, once, as the first worded it', async () => {
    const w = await world('status');
    await w.deploy();
    await once(w.first, 'exit');
    expect(await w.finals()).toEqual([]);
    await w.next();
    const job = await w.ended();
    const finals = await w.finals();
    expect(finals).toEqual([expect.stringMatching(/^deploy of site v1 finished ✔ \(HTTP 202, \d+:\d\d\)$/)]);
    expect([job.state, job.result]).toEqual(['finished', expect.objectContaining({ outcome: 'ok', ok: true, httpStatus: 202 })]);
    expect(w.calls()).toBe(1);
    const ends = await w.db.sql<{ outcome: string; result: string }>('SELECT outcome, result FROM job_ends WHERE job_id = ?', [w.id]);
    expect(ends.map((e) => [e.outcome, e.result])).toEqual([['ok', finals[0]]]);
  }, 120_000);

  it('the window left: killed as the platform took the line (marked posting, not told), the next worker posts the same end again and says it may be above; nothing runs twice', async () => {
    const w = await world('posting');
    await w.deploy();
    await once(w.first, 'exit');
    const [told, ...more] = await w.finals();
    expect([told, more]).toEqual([expect.stringMatching(/^deploy of site v1 finished ✔ \(HTTP 202, \d+:\d\d\)$/), []]);
    // Not told: the watch says the worker is lost, and the next worker tells the end it finds marked.
    await until(() => w.here.messages.some((m) => m.text === `${WORKER_LOST_STATUS} (job ${w.id})`), { what: 'the worker-lost line' });
    await w.next();
    const job = await w.ended();
    expect(await w.finals()).toEqual([told, `${told} ${TOLD_AGAIN}`]);
    expect([job.state, job.result]).toEqual(['finished', expect.objectContaining({ outcome: 'ok', ok: true, httpStatus: 202 })]);
    expect(w.calls()).toBe(1);
    const ends = await w.db.sql<{ outcome: string }>('SELECT outcome FROM job_ends WHERE job_id = ?', [w.id]);
    expect(ends.map((e) => e.outcome)).toEqual(['ok']);
  }, 120_000);
});
