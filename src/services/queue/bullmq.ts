import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Progress } from '../devices/types.js';
import type { BurnJobData, BurnJobState, BurnJobView, BurnProcessor, BurnQueue } from './types.js';

export interface BullOptions {
  readonly url: string;
  readonly prefix: string;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly log: Logger;
}

const PROGRESS_EVERY_MS = 1000;

/**
 * BullMQ, one queue per drive (`burn.<agent>.<drive>`), one job at a time on each. A Redis hash maps
 * job ids to queues so any process can find, show or cancel a job by id alone. Jobs are never
 * retried (attempts 1); a job whose worker died is handed to another worker, which re-attaches.
 */
export class BullBurnQueue implements BurnQueue {
  readonly #queues = new Map<string, Queue<BurnJobData>>();
  readonly #workers = new Map<string, Worker<BurnJobData>>();
  readonly #redis: Redis;
  readonly #jobsKey: string;

  constructor(private readonly opts: BullOptions) {
    this.#redis = new Redis(opts.url, { maxRetriesPerRequest: 2, lazyConnect: false });
    this.#redis.on('error', (err) => opts.log.warn({ err }, 'redis error'));
    this.#jobsKey = `${opts.prefix}:burn:jobs`;
  }

  async add(id: string, data: BurnJobData): Promise<{ position: number }> {
    const name = queueName(data.agent, data.drive);
    const q = this.#queue(name);
    await this.#redis.hset(this.#jobsKey, id, name);
    await q.add('burn', data, {
      jobId: id,
      attempts: 1,
      removeOnComplete: { age: 7 * 86400, count: 1000 },
      removeOnFail: { age: 7 * 86400, count: 1000 },
    });
    const counts = await q.getJobCounts('waiting', 'active', 'prioritized', 'delayed');
    return { position: Math.max(0, Object.values(counts).reduce((a, b) => a + b, 0) - 1) };
  }

  async get(id: string): Promise<BurnJobView | undefined> {
    const name = await this.#redis.hget(this.#jobsKey, id);
    if (!name) return undefined;
    const job = await this.#queue(name).getJob(id);
    return job ? this.#view(job) : undefined;
  }

  async list(): Promise<BurnJobView[]> {
    const names = [...new Set(Object.values(await this.#redis.hgetall(this.#jobsKey)))].sort();
    const out: BurnJobView[] = [];
    for (const name of names) {
      const jobs = await this.#queue(name).getJobs(['active', 'waiting', 'prioritized'], 0, -1, true);
      for (const job of jobs) out.push(await this.#view(job));
    }
    return out;
  }

  async removeQueued(id: string): Promise<'removed' | BurnJobState | 'unknown'> {
    const view = await this.get(id);
    if (!view) return 'unknown';
    if (view.state !== 'queued') return view.state;
    const name = queueName(view.data.agent, view.data.drive);
    const removed = await this.#queue(name).remove(id);
    return removed === 1 ? 'removed' : ((await this.get(id))?.state ?? 'unknown');
  }

  work(drives: readonly { agent: string; drive: string }[], processor: BurnProcessor): void {
    for (const d of drives) {
      const name = queueName(d.agent, d.drive);
      if (this.#workers.has(name)) continue;
      const worker = new Worker<BurnJobData>(name, (job) => processor(job.id ?? '', job.data, throttle(job)), {
        connection: { url: this.opts.url },
        prefix: this.opts.prefix,
        concurrency: 1,
        lockDuration: this.opts.lockDurationMs,
        stalledInterval: this.opts.stalledIntervalMs,
        maxStalledCount: 5,
      });
      worker.on('error', (err) => this.opts.log.warn({ err, queue: name }, 'worker error'));
      worker.on('failed', (job, err) => this.opts.log.info({ jobId: job?.id, err: err.message }, 'burn job failed'));
      this.#workers.set(name, worker);
    }
  }

  /**
   * Stops without waiting for running burns: their locks lapse and another worker re-attaches
   * (a burn can take twenty minutes; a restart should not).
   */
  async close(): Promise<void> {
    await Promise.all([...this.#workers.values()].map((w) => w.close(true)));
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
    this.#redis.disconnect();
  }

  #queue(name: string): Queue<BurnJobData> {
    let q = this.#queues.get(name);
    if (!q) {
      q = new Queue<BurnJobData>(name, { connection: { url: this.opts.url }, prefix: this.opts.prefix });
      q.on('error', (err) => this.opts.log.warn({ err, queue: name }, 'queue error'));
      this.#queues.set(name, q);
    }
    return q;
  }

  async #view(job: Job<BurnJobData>): Promise<BurnJobView> {
    const raw = await job.getState();
    const state: BurnJobState =
      raw === 'active' ? 'running' : raw === 'completed' ? 'finished' : raw === 'failed' ? 'failed' : 'queued';
    let position: number | undefined;
    if (state === 'queued') {
      const name = queueName(job.data.agent, job.data.drive);
      const ahead = await this.#queue(name).getJobs(['active', 'waiting', 'prioritized'], 0, -1, true);
      position = Math.max(0, ahead.findIndex((j) => j.id === job.id));
    }
    const progress = typeof job.progress === 'object' && job.progress && 'phase' in job.progress ? (job.progress as unknown as Progress) : undefined;
    return {
      id: job.id ?? '',
      data: job.data,
      state,
      ...(position !== undefined ? { position } : {}),
      ...(progress ? { progress } : {}),
      ...(job.returnvalue ? { result: job.returnvalue } : {}),
      ...(job.failedReason ? { error: job.failedReason } : {}),
    };
  }
}

export function queueName(agent: string, drive: string): string {
  return `burn.${agent}.${drive}`;
}

/** Stores progress on the job at most once a second, for /burn status from any process. */
function throttle(job: Job<BurnJobData>): (p: Progress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < PROGRESS_EVERY_MS && p.bytes < p.total) return;
    last = now;
    void job.updateProgress({ ...p }).catch(() => undefined);
  };
}
