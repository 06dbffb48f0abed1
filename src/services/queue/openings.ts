import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { UserError } from '../../core/errors.js';
import { JOB_ID } from '../../words/names.js';
import { connected, onRedis } from '../redis-errors.js';
import { parseOpening, type JobIntent, type LegacyOpening, type OpeningRecord, type StaleOpening } from './opening.js';

/** Redis's clock in ms: every process's sweep compares ages on the one clock, whatever its own says. */
const NOW = `local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)`;
/** Writes a record and stamps it. KEYS: records, stamps; ARGV: id, record. */
const WRITE = `${NOW} redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) redis.call('HSET', KEYS[2], ARGV[1], now) return 1`;
/**
 * Only while the record holds this request's lease: stamps it again, and replaces it when ARGV[3] is
 * given. 0 when a sweep took it. KEYS: records, stamps; ARGV: id, lease, record or ''.
 */
const LEASED = `local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
local ok, r = pcall(cjson.decode, v)
if not ok or type(r) ~= 'table' or r.lease ~= ARGV[2] then return 0 end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
${NOW} redis.call('HSET', KEYS[2], ARGV[1], now) return 1`;
/**
 * The sweep's claim, on the record and stamp it read (any change meanwhile wins): 2 while the job
 * index names the job (it is being or was queued) unless ARGV[4] is '1', else deletes both, 1.
 * KEYS: records, stamps, job index; ARGV: id, record, stamp, ignore the index.
 */
const CLAIM = `if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if (redis.call('HGET', KEYS[2], ARGV[1]) or '') ~= ARGV[3] then return 0 end
if ARGV[4] ~= '1' and redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then return 2 end
redis.call('HDEL', KEYS[1], ARGV[1]) redis.call('HDEL', KEYS[2], ARGV[1]) return 1`;
/**
 * Queueing's first write, the job index: refused (0) when the job's opening was expected and a sweep
 * took it. KEYS: job index, queue set, records; ARGV: id, queue name, '1' when an opening is expected.
 */
export const INDEX = `if ARGV[3] == '1' and redis.call('HEXISTS', KEYS[3], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) redis.call('SADD', KEYS[2], ARGV[2]) return 1`;

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
export const GIVEN_UP = 'this request stalled between its thread and the queue and was given up (its channel is told); nothing was queued. Ask again';

interface Lease {
  readonly token: string;
  readonly intent: JobIntent;
  timer?: NodeJS.Timeout;
  /** Refreshes one after another. */
  chain: Promise<unknown>;
  /** A refresh found the record gone or another's: a sweep took it. */
  taken: boolean;
}

export interface OpeningKeys {
  /** id → OpeningRecord (JSON) */
  readonly records: string;
  /** id → when it was last written or refreshed, ms on Redis's clock */
  readonly stamps: string;
  /** The queue's job index (id → queue), which queueing writes first */
  readonly jobs: string;
  /** id → LegacyOpening, written by older versions */
  readonly legacy: string;
}

/**
 * The openings of one kind of job (docs/hosting.md, "What a SIGKILL loses"). The intent is written
 * before the thread is posted and stamped again every LEASE_MS while the post waits; the job's data
 * replaces it once the thread is posted; queueing checks it is still there as it writes the job index,
 * and deletes it. Each change a request makes checks its lease token; the sweep's claim checks the
 * record and stamp it read and that the job index does not name the job, all in one script each.
 */
export class Openings<D> {
  readonly #leases = new Map<string, Lease>();
  /** Ids whose thread is posted and recorded here: queueing them needs their opening still there. */
  readonly #posted = new Set<string>();

  constructor(
    /** Writes go on a connection of their own, made on first use (see BullJobQueue), one after another; `made` without making it. */
    private readonly writer: { (): Redis; made(): Redis | undefined },
    private readonly redis: Redis,
    readonly keys: OpeningKeys,
    private readonly schema: z.ZodType<OpeningRecord<D>>,
    private readonly legacySchema: z.ZodType<LegacyOpening<D>>,
    private readonly log: Logger,
  ) {}

  /** Records the intent before the thread is posted; throws (nothing was queued) when Redis does not take it. */
  async intend(id: string, intent: JobIntent): Promise<void> {
    const lease: Lease = { token: randomUUID(), intent, chain: Promise.resolve(), taken: false };
    const w = this.writer();
    connected(w, NOT_QUEUED);
    await onRedis(w.eval(WRITE, 2, this.keys.records, this.keys.stamps, id, JSON.stringify({ lease: lease.token, intent })), NOT_QUEUED).catch((err: unknown) => {
      // A write Redis held may still land: it is taken back behind it, on the same connection, so no sweep tells the channel.
      this.#forget(w, id);
      throw err;
    });
    this.#end(id);
    const started = Date.now();
    lease.timer = setInterval(() => {
      if (Date.now() - started > LEASE_MAX_MS) return clearInterval(lease.timer);
      lease.chain = lease.chain.then(() => this.#refresh(id, lease));
    }, LEASE_MS);
    lease.timer.unref();
    this.#leases.set(id, lease);
  }

  async #refresh(id: string, lease: Lease): Promise<void> {
    // One that Redis answers late lands late, harmlessly: it only stamps a record that still holds this lease.
    const set = await onRedis(this.writer().eval(LEASED, 2, this.keys.records, this.keys.stamps, id, lease.token, ''), NOT_QUEUED).catch((err: unknown) => {
      this.log.debug({ err, jobId: id }, 'could not refresh a job\'s opening');
      return undefined;
    });
    if (set !== 0) return;
    lease.taken = true;
    clearInterval(lease.timer);
  }

  /**
   * The thread is posted: the opening holds the job's data now. False when a sweep took the opening
   * meanwhile (it told the channel): the job must not be queued. When Redis does not answer, the
   * opening is taken back and this throws "nothing was queued": queueing needs the same Redis. Without
   * an intent of this process (a test's record of a dead replica) the record is simply written.
   */
  async opening(id: string, data: D): Promise<boolean> {
    const lease = this.#leases.get(id);
    this.#end(id);
    const w = this.writer();
    if (!lease) {
      await onRedis(w.eval(WRITE, 2, this.keys.records, this.keys.stamps, id, JSON.stringify({ lease: randomUUID(), data })), NOT_QUEUED);
      return true;
    }
    await lease.chain;
    if (lease.taken) return false;
    const set = await onRedis(w.eval(LEASED, 2, this.keys.records, this.keys.stamps, id, lease.token, JSON.stringify({ lease: lease.token, intent: lease.intent, data })), NOT_QUEUED).catch((err: unknown) => {
      this.#forget(w, id);
      throw err;
    });
    if (set === 1) this.#posted.add(id);
    return set === 1;
  }

  /** Queueing's job index write must find the opening still there (INDEX): a sweep may have taken it. */
  expected(id: string): boolean {
    return this.#posted.has(id);
  }

  async drop(id: string): Promise<void> {
    this.#end(id);
    this.#posted.delete(id);
    // Behind this process's own writes of it, if it made any.
    await (this.writer.made() ?? this.redis)
      .multi()
      .hdel(this.keys.records, id)
      .hdel(this.keys.stamps, id)
      .exec()
      .catch((err: unknown) => this.log.warn({ err, jobId: id }, 'could not clear a job\'s opening'));
  }

  /** Openings not written or stamped for `olderThanMs` (Redis's clock): their request stopped between its thread and the queue. */
  async stale(olderThanMs: number): Promise<StaleOpening<D>[]> {
    const got = await onRedis(this.redis.multi().hgetall(this.keys.records).hgetall(this.keys.stamps).time().hgetall(this.keys.legacy).exec(), READ);
    const [records, stamps, time, legacy] = (got ?? []).map(([err, v]) => {
      if (err) throw err;
      return v;
    }) as [Record<string, string>, Record<string, string>, [string, string], Record<string, string>];
    const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
    const out: StaleOpening<D>[] = [];
    for (const [id, raw] of Object.entries(records)) {
      // Written by this class, but read from Redis like anything from outside the process: one that does not
      // parse is logged and dropped, never trusted, and the rest of the sweep goes on.
      const rec = parseOpening(raw, this.schema);
      if (!rec.ok || !JOB_ID.test(id)) {
        await this.#unreadable(this.keys.records, id, rec.ok ? 'the job id is not one' : rec.problem);
        continue;
      }
      const at = stamps[id] ?? '';
      if (now - Number(at) > olderThanMs) out.push({ id, raw, at, legacy: false, ...(rec.value.intent ? { intent: rec.value.intent } : {}), ...(rec.value.data !== undefined ? { data: rec.value.data } : {}) });
    }
    for (const [id, raw] of Object.entries(legacy)) {
      const rec = parseOpening(raw, this.legacySchema);
      if (!rec.ok || !JOB_ID.test(id)) {
        await this.#unreadable(this.keys.legacy, id, rec.ok ? 'the job id is not one' : rec.problem);
        continue;
      }
      if (Date.now() - rec.value.at > olderThanMs) out.push({ id, raw, at: '', legacy: true, data: rec.value.data });
    }
    return out;
  }

  /** Takes an opening as the sweep read it: `indexed` while the job index names the job (unless `evenIndexed`). */
  async claim(o: StaleOpening<D>, evenIndexed: boolean): Promise<'claimed' | 'changed' | 'indexed'> {
    const [records, stamps] = o.legacy ? [this.keys.legacy, `${this.keys.legacy}:none`] : [this.keys.records, this.keys.stamps];
    const r = await onRedis(this.redis.eval(CLAIM, 3, records, stamps, this.keys.jobs, o.id, o.raw, o.at, evenIndexed ? '1' : '0'), READ);
    return r === 1 ? 'claimed' : r === 2 ? 'indexed' : 'changed';
  }

  /** A job found queued: its opening (or an older version's) is left over; it goes. */
  async leftOver(o: StaleOpening<D>): Promise<void> {
    if (!o.legacy) return this.drop(o.id);
    await this.redis.hdel(this.keys.legacy, o.id).catch((err: unknown) => this.log.warn({ err, jobId: o.id }, 'could not clear a job\'s opening'));
  }

  close(): void {
    for (const id of [...this.#leases.keys()]) this.#end(id);
  }

  async #unreadable(key: string, id: string, problem: string): Promise<void> {
    this.log.warn({ jobId: id.slice(0, 128), problem }, 'a job opening in Redis does not read; dropped');
    await this.redis.hdel(key, id).catch((err: unknown) => this.log.warn({ err }, 'could not drop a job opening that does not read'));
  }

  /** Takes back a write whose answer did not come, behind it on its connection. */
  #forget(w: Redis, id: string): void {
    this.#end(id);
    w.multi().hdel(this.keys.records, id).hdel(this.keys.stamps, id).exec().catch(() => undefined);
  }

  #end(id: string): void {
    const lease = this.#leases.get(id);
    if (!lease) return;
    clearInterval(lease.timer);
    this.#leases.delete(id);
  }
}

/** Thrown by queueing when the sweep took a job's opening before its index was written. */
export function givenUp(): UserError {
  return new UserError('unavailable', GIVEN_UP);
}
