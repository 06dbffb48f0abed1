import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { JOB_OUTCOMES } from '../job-log/types.js';
import type { FinalLine, ToldEnd } from './jobs.js';

/** Kept as long as BullMQ keeps an ended job (removeOnComplete/Fail): a stalled job is taken over within that. */
const TTL_S = 7 * 86_400;
/** A final line or status longer than any platform takes (Slack's text limit is 40,000). */
const MAX_TEXT = 100_000;

/**
 * Each job's end as its worker decided it (ToldEnd), one Redis key per job (`<prefix>:<kind>:jobs:end:<id>`):
 * written `decided` before the thread or the record hears of the end, `posting` right before the final line
 * is posted and `told` once it was. A worker lost before BullMQ recorded the job's end leaves the job stalled;
 * the worker that takes it over reads the mark and tells that end once (src/jobs/final-line.ts, docs/hosting.md
 * "What a SIGKILL loses"). The job's durable record (MySQL) has the end too, but neither the queue's result nor whether the
 * line was posted, and without MySQL it lives in one process's memory.
 */
export class EndMarks<R> {
  readonly #schema: z.ZodType<ToldEnd<R>>;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    result: z.ZodType<R>,
    private readonly log: Logger,
  ) {
    this.#schema = z.object({
      state: z.enum(['decided', 'posting', 'told']),
      outcome: z.enum(JOB_OUTCOMES),
      settled: z.union([z.object({ result }), z.object({ error: z.string().max(MAX_TEXT) })]),
      status: z.string().max(MAX_TEXT),
      text: z.string().max(MAX_TEXT),
    });
  }

  /**
   * The marks of one job as its worker starts it: what a previous worker left (read like anything from
   * outside the process: a mark that does not parse is logged and counts as none), and the writes.
   * A mark that cannot be read or written is logged: the job goes on, told as it would be without marks.
   */
  async line(id: string): Promise<FinalLine<R>> {
    const previous = await this.read(id).catch((err: unknown) => {
      this.log.warn({ err, jobId: id }, 'could not read a job\'s end mark; a previous worker\'s end, if any, may be told again');
      return undefined;
    });
    // A worker that tells a previous worker's end again marks that end told.
    let end: Omit<ToldEnd<R>, 'state'> | undefined = previous && { outcome: previous.outcome, settled: previous.settled, status: previous.status, text: previous.text };
    const write = async (state: ToldEnd<R>['state']) => {
      if (!end) return;
      // Written as it must read back (a thrown non-Error has no message; a text past the bound would not read).
      const settled = 'error' in end.settled ? { error: String(end.settled.error ?? 'failed').slice(0, MAX_TEXT) } : end.settled;
      const mark = { state, outcome: end.outcome, settled, status: end.status.slice(0, MAX_TEXT), text: end.text.slice(0, MAX_TEXT) };
      await this.redis.set(this.#key(id), JSON.stringify(mark), 'EX', TTL_S).catch((err: unknown) => this.log.warn({ err, jobId: id, state }, 'could not mark a job\'s end'));
    };
    return {
      ...(previous ? { previous } : {}),
      decided: async (e) => {
        end = e;
        await write('decided');
      },
      posting: () => write('posting'),
      told: () => write('told'),
    };
  }

  async read(id: string): Promise<ToldEnd<R> | undefined> {
    const raw = await this.redis.get(this.#key(id));
    if (raw === null) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = undefined;
    }
    const r = this.#schema.safeParse(json);
    if (r.success) return r.data;
    this.log.warn({ jobId: id, problem: r.error.issues.slice(0, 3).map((i) => `${i.path.map(String).join('.') || '(mark)'}: ${i.message}`).join('; ').slice(0, 300) }, 'a job\'s end mark in Redis does not read; ignored');
    return undefined;
  }

  #key(id: string): string {
    return `${this.key}:${id}`;
  }
}
