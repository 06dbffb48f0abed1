import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { legacyOpeningSchema, openingSchema, type JobIntent, type StaleOpening } from './opening.js';
import { givenUp, INDEX, Openings } from './openings.js';
import { connectRedis, replicaWaitMs, type RedisTarget } from '../../redis/connect.js';
import type { Logger } from 'pino';
import { onRedis, reachable } from '../redis-errors.js';
import { QUEUE_TIMEOUT_MS } from '../redis-timeouts.js';
import { JobBeats } from './job-beats.js';
import { EndMarks } from './end-marks.js';
import { throttle } from './progress-throttle.js';
import { ReplicaWait } from './replica-wait.js';
import { settledState } from './settled-state.js';
import { WorkerCensus } from './worker-census.js';
import type { JobKind, JobProcessor, JobQueue, JobState, JobView, SilentJob } from './jobs.js';

/** Where Redis is (`url`, or `sentinels` and `name`: the config's `redis` section spreads in). */
export interface BullOptions extends RedisTarget {
  readonly prefix: string;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  /** How often a running job's worker reports (default 5 s); see JobBeats. */
  readonly heartbeatMs?: number;
  /** Jobs of a lane that run at once, across every worker process (default 1: a drive burns one disc at a time). */
  readonly laneConcurrency?: (lane: string) => number;
  readonly log: Logger;
}

/** A read changes nothing, whatever Redis does. */
const READ = { what: 'the queue', consequence: 'nothing was changed' };

/**
 * BullMQ, one queue per lane (`<kind>.<lane>`: `burn.<agent>.<drive>`, `deploy.<target>`), one job
 * at a time on each (or `laneConcurrency(lane)`). A Redis hash maps job ids to queues so any process can find, show or cancel a
 * job by id alone. Jobs are never retried (attempts 1); a job whose worker died is handed to another
 * worker, which re-attaches.
 *
 * Connections (docs/hosting.md, "How many Redis connections"): every Queue of this kind shares one, and every
 * Worker's non-blocking side shares another; only each Worker's blocking connection is its own
 * (BullMQ duplicates the shared one for it). One connection per Queue and two per Worker made
 * about 300 per process at 100 lanes, and Redis's CLIENT LIST (the worker count) slower with each.
 */
export class BullJobQueue<D, R, P extends object> implements JobQueue<D, R, P> {
  readonly #queues = new Map<string, Queue<D>>();
  /** Per queue: its global concurrency (1 unless laneConcurrency says more) is set (once) before its first job or worker. */
  readonly #oneAtATime = new Map<string, Promise<unknown>>();
  readonly #workers = new Map<string, Worker<D>>();
  readonly #redis: Redis;
  /** Every Queue's connection; BullMQ leaves a connection it is given open (close() ends it). */
  readonly #queueConn: Redis;
  /** Every Worker's non-blocking side (locks, moves, stalled checks): made with the first worker. */
  #workerConn: Redis | undefined;
  readonly #census: WorkerCensus;
  readonly #replicaWait: ReplicaWait;
  readonly #jobsKey: string;
  readonly #queuesKey: string;
  /**
   * Openings are written on a connection of their own: a write Redis holds (CLIENT PAUSE, a stall)
   * would otherwise hold every command queued behind it on the queue's connection, add() included.
   */
  #openingsConn: Redis | undefined;
  readonly #openings: Openings<D>;
  readonly #beats: JobBeats;
  /** Each job's end as its worker told it (a kind with a result schema): a worker taking a job over tells it once. */
  readonly #ends: EndMarks<R> | undefined;
  #closing = false;

  constructor(
    private readonly opts: BullOptions,
    private readonly kind: JobKind<D, R>,
  ) {
    this.#redis = connectRedis(opts, { role: `${kind.name}-jobs`, profile: 'queue' });
    this.#redis.on('error', (err) => opts.log.warn({ err }, 'redis error'));
    this.#queueConn = connectRedis(opts, { role: `${kind.name}-queue`, profile: 'queue' });
    this.#queueConn.on('error', (err) => opts.log.warn({ err }, 'redis error (queues)'));
    this.#census = new WorkerCensus(this.#queueConn, opts.prefix);
    // WAIT counts the writes of the connection it is sent on: the Queues', which wrote the job last.
    this.#replicaWait = new ReplicaWait(this.#queueConn, replicaWaitMs(opts));
    this.#jobsKey = `${opts.prefix}:${kind.name}:jobs`;
    this.#queuesKey = `${opts.prefix}:${kind.name}:queues`;
    this.#beats = new JobBeats(this.#redis, `${this.#jobsKey}:beats`, opts.heartbeatMs ?? 5000, opts.log);
    const records = `${opts.prefix}:${kind.name}:openings`;
    const keys = { records, stamps: `${records}:at`, jobs: this.#jobsKey, legacy: `${opts.prefix}:${kind.name}:opening` };
    const writer = Object.assign(() => (this.#openingsConn ??= this.#openingsClient()), { made: () => this.#openingsConn });
    this.#openings = new Openings(writer, this.#redis, keys, openingSchema(kind.data), legacyOpeningSchema(kind.data), opts.log);
    this.#ends = kind.result && new EndMarks(this.#redis, `${this.#jobsKey}:end`, kind.result, opts.log);
  }

  /**
   * Queues a job, or says plainly that the queue is unavailable and whether anything was queued:
   * Redis is asked first (a PING within 1 s), so when it is down or hung the answer is a certain
   * "nothing was queued"; only a Redis that stops answering while the job is being written leaves
   * it open (MaybeDoneError), and the caller is told how to find out.
   */
  async add(id: string, data: D): Promise<{ position: number }> {
    const name = this.#name(this.kind.lane(data));
    const q = this.#queue(name);
    const notQueued = { what: 'the queue', consequence: 'nothing was queued' };
    await reachable(this.#redis, notQueued);
    await onRedis(this.#oneAtATime.get(name) ?? Promise.resolve(), notQueued);
    const job = `${this.kind.name} job ${id}`;
    const maybe = { ...notQueued, ifSent: `${job} may or may not be queued: /${this.kind.name} watch ${id} shows which` };
    const write = async () => {
      // The index first, and only while the job's opening is still there when one was recorded: a sweep that
      // took it told the channel "not queued" (src/services/queue/openings.ts).
      const expected = this.#openings.expected(id) ? '1' : '0';
      if ((await this.#redis.eval(INDEX, 3, this.#jobsKey, this.#queuesKey, this.#openings.keys.records, id, name, expected)) === 0) throw givenUp();
      // BullMQ's name type is derived from the data type; the job name is the kind.
      await q.add(this.kind.name as never, data as never, {
        jobId: id,
        attempts: 1,
        removeOnComplete: { age: 7 * 86400, count: 1000 },
        removeOnFail: { age: 7 * 86400, count: 1000 },
      });
    };
    await onRedis(write(), maybe, QUEUE_TIMEOUT_MS);
    // Queued: its opening is done (one left behind by a failure here is dropped by the sweep, which finds the job).
    await this.dropOpening(id);
    await this.#replicated(id);
    // The job is queued now: a failure to count must not make the caller think it is not (and queue it twice).
    const counts = await onRedis(q.getJobCounts('waiting', 'active', 'prioritized', 'delayed'), notQueued).catch(() => undefined);
    return { position: counts ? Math.max(0, Object.values(counts).reduce((a, b) => a + b, 0) - 1) : 0 };
  }

  /**
   * The reply is about to say "queued": with sentinels, wait (at most redis.replicaWaitMs) until a
   * replica holds the job, so a failover right after the reply keeps it (docs/hosting.md). The job
   * is queued either way; without a replica's word it lives on the primary alone for a moment.
   */
  async #replicated(id: string): Promise<void> {
    const ms = replicaWaitMs(this.opts);
    if (ms <= 0) return;
    const held = await this.#replicaWait.held().catch((err: unknown) => this.opts.log.warn({ err, jobId: id }, 'could not ask whether a replica holds the queued job'));
    if (held === false) this.opts.log.warn({ jobId: id, waitedMs: ms }, 'queued on the Redis primary, but no replica acknowledged it in time: a failover now would lose it');
  }

  intend(id: string, intent: JobIntent): Promise<void> {
    return this.#openings.intend(id, intent);
  }

  opening(id: string, data: D): Promise<boolean> {
    return this.#openings.opening(id, data);
  }

  dropOpening(id: string): Promise<void> {
    return this.#openings.drop(id);
  }

  staleOpenings(olderThanMs: number): Promise<StaleOpening<D>[]> {
    return this.#openings.stale(olderThanMs);
  }

  /**
   * True for exactly one caller, and only when the job was never queued and its opening did not change
   * meanwhile. A job index without its BullMQ job is a process that died between the two writes of add().
   */
  async claimOpening(o: StaleOpening<D>): Promise<boolean> {
    const first = await this.#openings.claim(o, false);
    if (first !== 'indexed') return first === 'claimed';
    if ((await this.get(o.id)) !== undefined) {
      await this.#openings.leftOver(o);
      return false;
    }
    return (await this.#openings.claim(o, true)) === 'claimed';
  }

  async get(id: string): Promise<JobView<D, R, P> | undefined> {
    await reachable(this.#redis, READ);
    return onRedis(this.#get(id), READ, QUEUE_TIMEOUT_MS);
  }

  async #get(id: string): Promise<JobView<D, R, P> | undefined> {
    const name = await this.#redis.hget(this.#jobsKey, id);
    if (!name) return undefined;
    const job = await this.#queue(name).getJob(id);
    // BullMQ removes old jobs (removeOnComplete/Fail); their index entries go when first found missing.
    if (!job) await this.#redis.hdel(this.#jobsKey, id);
    return job ? this.#view(job) : undefined;
  }

  async list(): Promise<JobView<D, R, P>[]> {
    await reachable(this.#redis, READ);
    return onRedis(this.#list(), READ, QUEUE_TIMEOUT_MS);
  }

  async #list(): Promise<JobView<D, R, P>[]> {
    const names = (await this.#redis.smembers(this.#queuesKey)).sort();
    const out: JobView<D, R, P>[] = [];
    for (const name of names) {
      const jobs = await this.#queue(name).getJobs(['active', 'waiting', 'prioritized'], 0, -1, true);
      for (const job of jobs) out.push(await this.#view(job));
    }
    return out;
  }

  async history(limit: number): Promise<JobView<D, R, P>[]> {
    await reachable(this.#redis, READ);
    return onRedis(this.#history(limit), READ, QUEUE_TIMEOUT_MS);
  }

  async #history(limit: number): Promise<JobView<D, R, P>[]> {
    // The newest `limit` of each lane, then the newest `limit` of those: BullMQ keeps a week (removeOnComplete/Fail).
    const names = await this.#redis.smembers(this.#queuesKey);
    const jobs = (await Promise.all(names.map((n) => this.#queue(n).getJobs(['completed', 'failed'], 0, limit - 1, false)))).flat();
    jobs.sort((a, b) => (b.finishedOn ?? 0) - (a.finishedOn ?? 0));
    return Promise.all(jobs.slice(0, limit).map((j) => this.#view(j)));
  }

  async requestCancel(id: string): Promise<void> {
    const f = { what: 'the queue', consequence: `${this.kind.name} job ${id} was not cancelled`, ifSent: `the cancel of ${this.kind.name} job ${id} may or may not be recorded: /${this.kind.name} watch ${id} shows` };
    await onRedis(this.#redis.set(`${this.#jobsKey}:cancel:${id}`, '1', 'EX', 86_400), f);
  }

  async cancelRequested(id: string): Promise<boolean> {
    return (await this.#redis.exists(`${this.#jobsKey}:cancel:${id}`)) === 1;
  }

  async removeQueued(id: string): Promise<'removed' | JobState | 'unknown'> {
    const view = await this.get(id);
    if (!view) return 'unknown';
    if (view.state !== 'queued') return view.state;
    // Back in the queue only for the next worker to settle an end its lost worker decided (src/jobs/final-line.ts): it has ended.
    const mark = await onRedis(this.#ends?.read(id) ?? Promise.resolve(undefined), READ);
    if (mark) return mark.outcome === 'ok' ? 'finished' : 'failed';
    const name = this.#name(this.kind.lane(view.data));
    const f = { what: 'the queue', consequence: `${this.kind.name} job ${id} was not removed`, ifSent: `${this.kind.name} job ${id} may or may not have been removed: /${this.kind.name} watch ${id} shows` };
    const removed = await onRedis(this.#queue(name).remove(id), f);
    if (removed !== 1) return (await this.get(id))?.state ?? 'unknown';
    // The index entry goes with the job; one left behind is dropped by the next get().
    await onRedis(this.#redis.hdel(this.#jobsKey, id), f).catch(() => undefined);
    return 'removed';
  }

  /** BullMQ names each worker's blocking connection after its queue, so Redis can list them (CLIENT LIST). */
  async workers(data: D): Promise<number> {
    return onRedis(this.#census.count(this.#name(this.kind.lane(data))), READ);
  }

  work(lanes: readonly string[], processor: JobProcessor<D, R, P>): void {
    for (const lane of lanes) {
      const name = this.#name(lane);
      if (this.#workers.has(name)) continue;
      this.#queue(name);
      // Commands that wait out a reconnect (a failover), as BullMQ requires of a worker's connection.
      this.#workerConn ??= this.#sharedWorkerConn();
      const worker = new Worker<D>(name, (job) => this.#run(job, processor), {
        // BullMQ duplicates this for the worker's blocking connection and names that after its queue (WorkerCensus counts those).
        connection: this.#workerConn,
        prefix: this.opts.prefix,
        concurrency: this.#concurrency(lane),
        lockDuration: this.opts.lockDurationMs,
        stalledInterval: this.opts.stalledIntervalMs,
        maxStalledCount: 5,
      });
      worker.on('error', (err) => this.opts.log.warn({ err, queue: name }, 'worker error'));
      worker.on('failed', (job, err) => this.opts.log.info({ jobId: job?.id, err: err.message, kind: this.kind.name }, 'job failed'));
      this.#workers.set(name, worker);
    }
  }

  async silent(): Promise<SilentJob<D, R, P>[]> {
    const { now, beats } = await this.#beats.all();
    const out: SilentJob<D, R, P>[] = [];
    for (const [id, last] of beats) {
      if (now - Number(last) <= this.#beats.lostAfterMs) continue;
      const view = await this.get(id);
      // A job that is gone owes no reports: its entry goes. One that ended while silent is listed, for
      // its end to be recorded (src/jobs/lost-workers.ts), which then drops the entry (endSilence).
      if (!view) await this.#beats.ended(id);
      else out.push({ view: { ...view, silentMs: now - Number(last) }, lastReport: last });
    }
    return out;
  }

  claimLoss(job: SilentJob<D, R, P>): Promise<boolean> {
    return this.#beats.claim(job.view.id, lossOf(job), job.lastReport);
  }

  async releaseLoss(job: SilentJob<D, R, P>): Promise<void> {
    await this.#beats.unclaim(job.view.id, lossOf(job));
  }

  async endTold(id: string): Promise<boolean> {
    return (await this.#ends?.read(id))?.state === 'told';
  }

  async endSilence(id: string): Promise<void> {
    await this.#beats.ended(id);
  }

  #sharedWorkerConn(): Redis {
    const r = connectRedis(this.opts, { role: `${this.kind.name}-worker`, profile: 'blocking' });
    r.on('error', (err) => this.opts.log.warn({ err }, 'redis error (workers)'));
    return r;
  }

  #openingsClient(): Redis {
    const r = connectRedis(this.opts, { role: `${this.kind.name}-openings`, profile: 'queue' });
    r.on('error', (err) => this.opts.log.warn({ err }, 'redis error'));
    return r;
  }

  /**
   * Stops without waiting for running burns: their locks lapse and another worker re-attaches
   * (a burn can take twenty minutes; a restart should not). Their heartbeats stop too, so the
   * threads say that the worker is gone until another one takes over.
   */
  async close(): Promise<void> {
    this.#closing = true;
    this.#openings.close();
    this.#openingsConn?.disconnect();
    await Promise.all([...this.#workers.values()].map((w) => w.close(true)));
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
    this.#workerConn?.disconnect();
    this.#queueConn.disconnect();
    this.#redis.disconnect();
  }

  /** One job in this process's worker: reports a heartbeat while it runs, and the previous worker's progress. */
  async #run(job: Job<D>, processor: JobProcessor<D, R, P>): Promise<R> {
    const id = job.id ?? '';
    const previous = typeof job.progress === 'object' && job.progress ? (job.progress as unknown as P) : undefined;
    const beat = await this.#beats.start(id);
    try {
      return await processor(id, job.data, throttle(job), previous, await this.#ends?.line(id));
    } finally {
      beat.stop();
      // A stopping worker leaves the job to the next one: its silence is what tells the thread.
      if (!this.#closing) await this.#beats.ended(id).catch((err: unknown) => this.opts.log.debug({ err, jobId: id }, 'heartbeat not cleared'));
    }
  }

  #concurrency(lane: string): number {
    return this.opts.laneConcurrency?.(lane) ?? 1;
  }

  #name(lane: string): string {
    return `${this.kind.name}.${lane}`;
  }

  #queue(name: string): Queue<D> {
    let q = this.#queues.get(name);
    if (!q) {
      q = new Queue<D>(name, { connection: this.#queueConn, prefix: this.opts.prefix });
      q.on('error', (err) => this.opts.log.warn({ err, queue: name }, 'queue error'));
      this.#queues.set(name, q);
      // Worker concurrency is per process; with workers in several processes, only a global limit
      // keeps one job at a time on a drive (a second burn would find the drive busy and fail).
      this.#oneAtATime.set(
        name,
        q.setGlobalConcurrency(this.#concurrency(name.slice(this.kind.name.length + 1))).catch((err: unknown) => this.opts.log.warn({ err, queue: name }, 'could not set global concurrency')),
      );
    }
    return q;
  }

  async #view(read: Job<D>): Promise<JobView<D, R, P>> {
    const { raw, job } = await settledState(read, () => this.#queue(read.queueName).getJob(read.id ?? ''));
    const state: JobState =
      raw === 'active' ? 'running' : raw === 'completed' ? 'finished' : raw === 'failed' ? 'failed' : 'queued';
    let position: number | undefined;
    if (state === 'queued') {
      const name = this.#name(this.kind.lane(job.data));
      const ahead = await this.#queue(name).getJobs(['active', 'waiting', 'prioritized'], 0, -1, true);
      position = Math.max(0, ahead.findIndex((j) => j.id === job.id));
    }
    const progress = typeof job.progress === 'object' && job.progress ? (job.progress as unknown as P) : undefined;
    const silentMs = state === 'running' ? await this.#beats.silentMs(job.id ?? '').catch(() => undefined) : undefined;
    return {
      id: job.id ?? '',
      data: job.data,
      state,
      ...(position !== undefined ? { position } : {}),
      ...(progress ? { progress } : {}),
      ...(job.returnvalue ? { result: job.returnvalue as R } : {}),
      ...(job.failedReason ? { error: job.failedReason } : {}),
      ...(silentMs !== undefined ? { silentMs } : {}),
      ...(job.processedOn ? { startedAt: job.processedOn } : {}),
      ...(job.finishedOn ? { endedAt: job.finishedOn } : {}),
    };
  }
}

/** The name of a silent job's loss: a job's end is a loss of its own, apart from the running job's loss with the same last report. */
function lossOf(job: SilentJob<unknown, unknown, unknown>): string {
  const ended = job.view.state === 'finished' || job.view.state === 'failed';
  return ended ? `${job.lastReport}:end` : job.lastReport;
}
