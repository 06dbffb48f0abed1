import { Queue, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { z } from 'zod';
import { POST_PLATFORMS, type PostTarget } from '../config/schedules.js';
import type { Clock, ClockEntry, Post, TickHandler } from './types.js';
import { bullConnection, type RedisTarget } from '../redis/connect.js';

/** Where Redis is (`url`, or `sentinels` and `name`: the config's `redis` section spreads in). */
export interface BullClockOptions extends RedisTarget {
  readonly prefix: string;
  readonly log: Logger;
  /** Posts a handed-off post with this process's poster for its platform. */
  readonly post: (target: PostTarget, post: Post) => Promise<void>;
}

// Job data comes back from Redis, so it is parsed before use like any other outside input.
const nameData = z.object({ name: z.string() });
const postData = z.object({
  target: z.object({ platform: z.enum(POST_PLATFORMS), channel: z.string() }),
  post: z.object({
    reply: z.object({
      text: z.string(),
      visibility: z.enum(['ephemeral', 'channel']),
      pre: z.string().optional(),
      fields: z.array(z.object({ label: z.string(), value: z.string() })).optional(),
    }),
    mentions: z.array(z.string()),
  }),
});

type Data = Record<string, unknown>;
const KEEP = { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 }, attempts: 1 };

/**
 * Schedules and alerts as BullMQ job schedulers, one queue per platform (`schedules.slack`, …).
 * A scheduler makes one job per tick and only one worker takes it, so with any number of
 * replicas each tick runs once. Only processes that can post on a platform work its queue, so a
 * console schedule waits for a console rather than being taken by a replica that cannot show it.
 * A scheduler keeps one pending job: after downtime there is at most one catch-up run.
 */
export class BullClock implements Clock {
  readonly #queues = new Map<string, Queue<Data>>();
  readonly #workers: Worker<Data>[] = [];

  constructor(private readonly opts: BullClockOptions) {}

  async start(entries: readonly ClockEntry[], platforms: ReadonlySet<string>, handler: TickHandler): Promise<void> {
    for (const platform of platforms) {
      const mine = entries.filter((e) => e.platform === platform);
      const q = this.#queue(platform);
      // Schedulers left from an older config would go on ticking: only the configured ones stay.
      const wanted = new Set(mine.map((e) => e.name));
      for (const s of await q.getJobSchedulers()) if (!wanted.has(s.key)) await q.removeJobScheduler(s.key);
      for (const e of mine) {
        const repeat = e.cron !== undefined ? { pattern: e.cron, tz: e.timezone } : { every: e.everyMs ?? 60_000 };
        await q.upsertJobScheduler(e.name, repeat, { name: 'tick', data: { name: e.name }, opts: KEEP });
      }
      const worker = new Worker<Data>(q.name, (job) => this.#process(job, handler), {
        connection: bullConnection(this.opts, { role: 'schedule-worker', profile: 'blocking' }),
        prefix: this.opts.prefix,
        concurrency: 4,
      });
      worker.on('error', (err) => this.opts.log.warn({ err, queue: q.name }, 'schedule worker error'));
      this.#workers.push(worker);
    }
  }

  async nextRun(entry: ClockEntry): Promise<Date | undefined> {
    const s = await this.#queue(entry.platform).getJobScheduler(entry.name);
    return s?.next === undefined ? undefined : new Date(s.next);
  }

  async handOff(entry: ClockEntry): Promise<boolean> {
    const q = this.#queue(entry.platform);
    if ((await q.getWorkersCount()) === 0) return false;
    await q.add('run', { name: entry.name }, KEEP);
    return true;
  }

  async handOffPost(target: PostTarget, post: Post): Promise<boolean> {
    const q = this.#queue(target.platform);
    // Queued even with no worker now: the post waits for a process that can make it.
    await q.add('post', { target, post } as unknown as Data, KEEP);
    return true;
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.close()));
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
  }

  async #process(job: Job<Data>, handler: TickHandler): Promise<void> {
    if (job.name === 'post') {
      const p = postData.safeParse(job.data);
      if (!p.success) return this.opts.log.warn({ jobId: job.id }, 'dropping a malformed post job');
      return this.opts.post(p.data.target, p.data.post);
    }
    const d = nameData.safeParse(job.data);
    if (!d.success) return this.opts.log.warn({ jobId: job.id }, 'dropping a malformed schedule job');
    await handler(d.data.name, { scheduledAt: new Date(scheduledAt(job)), manual: job.name === 'run' });
  }

  #queue(platform: string): Queue<Data> {
    let q = this.#queues.get(platform);
    if (!q) {
      q = new Queue<Data>(`schedules.${platform}`, { connection: bullConnection(this.opts, { role: 'schedule-queue', profile: 'queue' }), prefix: this.opts.prefix });
      q.on('error', (err) => this.opts.log.warn({ err, platform }, 'schedule queue error'));
      this.#queues.set(platform, q);
    }
    return q;
  }
}

/** A scheduler's job id is `repeat:<scheduler>:<due millis>`; a run-now job is due when it was added. */
function scheduledAt(job: Job): number {
  const m = /:(\d+)$/.exec(job.id ?? '');
  return job.name === 'tick' && m ? Number(m[1]) : job.timestamp;
}
