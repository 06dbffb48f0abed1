import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { JOB_ID } from '../../words/names.js';
import { connected, onRedis } from '../redis-errors.js';
import { parseOpening, type JobIntent, type OpeningRecord, type StaleOpening } from './opening.js';

/** Sets a field only while it still holds what this process wrote last (a sweep that took it wins). */
const SET_IF = `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) return 1 end return 0`;
/** Deletes a field only while it holds what the sweep read (a live request that refreshed it meanwhile wins). */
const DEL_IF = `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) return 1 end return 0`;

/**
 * How often a request refreshes its opening while its thread is being posted: a post may wait for
 * the channel's budget for many seconds (docs/rate-limits.md), and the sweep takes only openings
 * older than unqueuedAfterMs (at least 10 s). A request that died stops refreshing.
 */
export const LEASE_MS = 2_000;
/** Refreshing stops after this long whatever happens, so a path that forgot its opening cannot keep it for ever. */
const LEASE_MAX_MS = 5 * 60_000;

const NOT_QUEUED = { what: 'the queue', consequence: 'nothing was queued' };
const READ = { what: 'the queue', consequence: 'nothing was changed' };

interface Lease {
  raw: string;
  readonly intent: JobIntent;
  timer?: NodeJS.Timeout;
  /** Refreshes one after another, so that the last one written is the one `raw` holds. */
  chain: Promise<unknown>;
  /** A refresh found the record changed: a sweep took it. */
  taken: boolean;
}

/**
 * The openings of one kind of job: a Redis hash, job id → OpeningRecord (docs/hosting.md, "What a
 * SIGKILL loses"). The intent is written before the thread is posted and kept fresh while the post
 * waits; the job's data replaces it once the thread is posted; queueing deletes it. Every change a
 * live request makes after the first write, and every claim by a sweep, is a compare-and-set on the
 * whole record, so a sweep and a live request never both act on one opening.
 */
export class Openings<D> {
  readonly #leases = new Map<string, Lease>();

  constructor(
    /** Writes go on a connection of their own, made on first use (see BullJobQueue). */
    private readonly writer: () => Redis,
    private readonly redis: Redis,
    private readonly key: string,
    private readonly schema: z.ZodType<OpeningRecord<D>>,
    private readonly log: Logger,
  ) {}

  /** Records the intent before the thread is posted; throws (nothing was queued) when Redis does not take it. */
  async intend(id: string, intent: JobIntent): Promise<void> {
    const raw = JSON.stringify({ at: Date.now(), intent });
    const w = this.writer();
    connected(w, NOT_QUEUED);
    await onRedis(w.hset(this.key, id, raw), NOT_QUEUED).catch((err: unknown) => {
      // A write Redis held may still land: it is taken back behind it, on the same connection, so no sweep tells the channel.
      w.hdel(this.key, id).catch(() => undefined);
      throw err;
    });
    this.#end(id);
    const started = Date.now();
    const lease: Lease = { raw, intent, chain: Promise.resolve(), taken: false };
    lease.timer = setInterval(() => {
      if (Date.now() - started > LEASE_MAX_MS) return clearInterval(lease.timer);
      lease.chain = lease.chain.then(() => this.#refresh(id, lease));
    }, LEASE_MS);
    lease.timer.unref();
    this.#leases.set(id, lease);
  }

  async #refresh(id: string, lease: Lease): Promise<void> {
    const raw = JSON.stringify({ at: Date.now(), intent: lease.intent });
    const set = await onRedis(this.writer().eval(SET_IF, 1, this.key, id, lease.raw, raw), NOT_QUEUED).catch((err: unknown) => {
      this.log.debug({ err, jobId: id }, 'could not refresh a job\'s opening');
      return undefined;
    });
    if (set === 1) lease.raw = raw;
    if (set !== 0) return;
    lease.taken = true;
    clearInterval(lease.timer);
  }

  /**
   * The thread is posted: the opening holds the job's data now. False when a sweep took the opening
   * meanwhile (it told the channel): the job must not be queued. Without an intent of this process
   * the record is simply written. A Redis that does not answer leaves the intent as it is (true): the
   * queueing that follows asks Redis again and says what became of the job.
   */
  async opening(id: string, data: D): Promise<boolean> {
    const lease = this.#leases.get(id);
    this.#end(id);
    if (!lease) {
      await onRedis(this.writer().hset(this.key, id, JSON.stringify({ at: Date.now(), data })), NOT_QUEUED).catch((err: unknown) =>
        this.log.warn({ err, jobId: id }, 'could not record a job\'s opening: if this process dies before the job is queued, its thread is not told'),
      );
      return true;
    }
    await lease.chain;
    if (lease.taken) return false;
    const raw = JSON.stringify({ at: Date.now(), intent: lease.intent, data });
    const set = await onRedis(this.writer().eval(SET_IF, 1, this.key, id, lease.raw, raw), NOT_QUEUED).catch((err: unknown) => {
      this.log.warn({ err, jobId: id }, 'could not record a job\'s thread in its opening: if this process dies before the job is queued, only its channel is told');
      return 1;
    });
    return set === 1;
  }

  async drop(id: string): Promise<void> {
    this.#end(id);
    await this.redis.hdel(this.key, id).catch((err: unknown) => this.log.warn({ err, jobId: id }, 'could not clear a job\'s opening'));
  }

  /** Openings not written or refreshed for `olderThanMs`: their request stopped between its thread and the queue. */
  async stale(olderThanMs: number): Promise<StaleOpening<D>[]> {
    const all = await onRedis(this.redis.hgetall(this.key), READ);
    const out: StaleOpening<D>[] = [];
    for (const [id, raw] of Object.entries(all)) {
      // Written by this class, but read from Redis like anything from outside the process: one that does not
      // parse is logged and dropped, never trusted, and the rest of the sweep goes on.
      const rec = parseOpening(raw, this.schema);
      if (rec.ok && JOB_ID.test(id)) {
        const { at, intent, data } = rec.value;
        if (Date.now() - at > olderThanMs) out.push({ id, raw, ...(intent ? { intent } : {}), ...(data !== undefined ? { data } : {}) });
        continue;
      }
      this.log.warn({ jobId: id.slice(0, 128), problem: rec.ok ? 'the job id is not one' : rec.problem }, 'a job opening in Redis does not read; dropped');
      await this.redis.hdel(this.key, id).catch((err: unknown) => this.log.warn({ err }, 'could not drop a job opening that does not read'));
    }
    return out;
  }

  /** Takes an opening as the sweep read it; false when it changed or went meanwhile. */
  async claim(o: StaleOpening<D>): Promise<boolean> {
    return (await onRedis(this.redis.eval(DEL_IF, 1, this.key, o.id, o.raw), READ)) === 1;
  }

  close(): void {
    for (const id of [...this.#leases.keys()]) this.#end(id);
  }

  #end(id: string): void {
    const lease = this.#leases.get(id);
    if (!lease) return;
    clearInterval(lease.timer);
    this.#leases.delete(id);
  }
}
