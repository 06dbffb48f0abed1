import { UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ThreadRef } from '../../src/core/thread.js';
import { tellOnce, TOLD_AGAIN } from '../../src/jobs/final-line.js';
import { deployStart } from '../../src/jobs/job-ends.js';
import { ThreadReporter } from '../../src/jobs/reporter.js';
import { JobRecorder } from '../../src/jobs/job-recorder.js';
import { LiveThread } from '../../src/core/live-thread.js';
import { Transports } from '../../src/relay/transports.js';
import { deployResultSchema, type DeployJobData, type DeployResult } from '../../src/services/deploy/types.js';
import { MemoryJobLog } from '../../src/services/job-log/index.js';
import { EndMarks } from '../../src/services/queue/end-marks.js';
import type { FinalLine, ToldEnd } from '../../src/services/queue/jobs.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { RecordingTransport } from '../helpers/test-adapter.js';

const log = pino({ level: 'silent' });
const dee = { key: 'console:dee', name: 'dee' };
const thread: ThreadRef = { platform: 'test', channel: 'room', rootId: 'm0', statusId: 's1', requester: dee };
const data: DeployJobData = { target: 'site', ref: 'v1', requester: dee, thread, requestedAt: new Date().toISOString() };
const ok: DeployResult = { outcome: 'ok', ok: true, message: 'HTTP 202', httpStatus: 202, durationMs: 12 };

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A job's end marks as a worker that takes it over sees them, recording what it writes. */
function marks(previous?: ToldEnd<DeployResult>): FinalLine<DeployResult> & { written: string[] } {
  const written: string[] = [];
  return { ...(previous ? { previous } : {}), written, decided: async () => void written.push('decided'), posting: async () => void written.push('posting'), told: async () => void written.push('told') };
}

function world() {
  const t = new RecordingTransport();
  const transports = new Transports();
  transports.add(t);
  const jobLog = new MemoryJobLog();
  let ran = 0;
  const run = tellOnce<DeployJobData, DeployResult, object>({ transports, log, jobLog, start: (id, d) => deployStart(id, d) }, async () => {
    ran++;
    return ok;
  });
  return { t, jobLog, run, ran: () => ran };
}

const end = (state: ToldEnd<DeployResult>['state'], settled: ToldEnd<DeployResult>['settled'] = { result: ok }): ToldEnd<DeployResult> => ({ state, outcome: 'ok', settled, status: '✔ HTTP 202 · 0:00', text: 'deploy of site v1 finished ✔ (HTTP 202, 0:00)' });

describe('tellOnce: a job taken over from a lost worker', () => {
  it('without a mark runs the job', async () => {
    const w = world();
    expect(await w.run('d1', data, () => undefined, undefined, marks())).toEqual(ok);
    expect(w.ran()).toBe(1);
  });

  it('told: settles it as told, runs nothing and says nothing; the record gets that end', async () => {
    const w = world();
    const m = marks(end('told'));
    expect(await w.run('d2', data, () => undefined, undefined, m)).toEqual(ok);
    expect([w.ran(), w.t.messages, m.written]).toEqual([0, [], []]);
    expect((await w.jobLog.get('d2'))?.result).toBe('deploy of site v1 finished ✔ (HTTP 202, 0:00)');
  });

  it('decided: posts the final line once, as the lost worker worded it; posting: posts it again saying it may be above', async () => {
    for (const [state, line] of [
      ['decided', '@dee deploy of site v1 finished ✔ (HTTP 202, 0:00)'],
      ['posting', `@dee deploy of site v1 finished ✔ (HTTP 202, 0:00) ${TOLD_AGAIN}`],
    ] as const) {
      const w = world();
      const m = marks(end(state));
      expect(await w.run('d3', data, () => undefined, undefined, m)).toEqual(ok);
      expect(w.ran()).toBe(0);
      expect(w.t.messages.filter((x) => x.kind === 'reply').map((x) => x.text)).toEqual([line]);
      expect(m.written).toEqual(['posting', 'told']);
    }
  });

  it('a failed end fails the job again, for good', async () => {
    const w = world();
    await expect(w.run('d4', data, () => undefined, undefined, marks(end('told', { error: 'HTTP 500' })))).rejects.toThrow(new UnrecoverableError('HTTP 500'));
    expect(w.ran()).toBe(0);
  });
});

describe('ThreadReporter and the end marks (real Redis)', () => {
  it('marks the end decided before the record and the thread hear of it, posting before the final line, told after; a worker after it reads it back', async () => {
    const p = redisPrefix();
    const redis = new Redis(REDIS_URL);
    cleanups.push(p.cleanup, () => redis.disconnect());
    const ends = new EndMarks(redis, `${p.prefix}:deploy:jobs:end`, deployResultSchema, log);
    const seen: string[] = [];
    const state = async () => (await ends.read('d5'))?.state ?? 'none';
    const t = new RecordingTransport();
    const post = t.postReply.bind(t);
    t.postReply = async (ref, text) => (seen.push(`reply (${await state()})`), post(ref, text));
    const jobLog = new MemoryJobLog();
    const recorded = jobLog.end.bind(jobLog);
    jobLog.end = async (id, e) => (seen.push(`record (${await state()})`), recorded(id, e));
    await jobLog.begin(deployStart('d5', data));
    const out = new ThreadReporter<DeployResult>(LiveThread.reopen(t, thread, log), log, new JobRecorder(jobLog, 'd5', deployStart('d5', data), log), undefined, await ends.line('d5'));
    expect(await out.finish('ok', '✔ HTTP 202 · 0:00', 'deploy of site v1 finished ✔', { result: ok })).toEqual(ok);
    expect(seen).toEqual(['record (decided)', 'reply (posting)']);
    expect(await ends.read('d5')).toEqual({ state: 'told', outcome: 'ok', settled: { result: ok }, status: '✔ HTTP 202 · 0:00', text: 'deploy of site v1 finished ✔' });
    expect((await ends.line('d5')).previous?.state).toBe('told');
  });

  it('a mark that does not read counts as none: the job runs as without marks', async () => {
    const p = redisPrefix();
    const redis = new Redis(REDIS_URL);
    cleanups.push(p.cleanup, () => redis.disconnect());
    const ends = new EndMarks(redis, `${p.prefix}:deploy:jobs:end`, deployResultSchema, log);
    for (const bad of ['{', JSON.stringify({ ...end('told'), state: 'done' }), JSON.stringify({ ...end('told'), settled: { result: { ok: 'yes' } } })]) {
      await redis.set(`${p.prefix}:deploy:jobs:end:d6`, bad);
      expect((await ends.line('d6')).previous).toBeUndefined();
    }
  });
});
