import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Writes Redis's own time (ms) for one job, so hosts whose clocks differ still agree on a silence. */
const BEAT = `local t = redis.call('TIME')
local ms = t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000))
redis.call('HSET', KEYS[1], ARGV[1], ms)
return ms`;

/** Takes one loss of a job for the caller: only if no worker has reported since `last`, and only once. */
const CLAIM = `local cur = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if cur ~= ARGV[2] then return 0 end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[3]) then return 1 end
return 0`;

/** How long a taken loss is remembered: as long as BullMQ keeps an ended job. */
const CLAIM_TTL_MS = 7 * 86_400_000;

/**
 * Worker heartbeats of running jobs, one Redis hash per job kind (`<prefix>:<kind>:jobs:beats`):
 * job id → the time of its worker's last report. A worker that dies (even SIGKILL) stops
 * reporting; any process sees the silence and can tell the job's thread (docs/burn.md).
 */
export class JobBeats {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    readonly heartbeatMs: number,
    private readonly log: Logger,
  ) {}

  /** Silence longer than this means the worker is lost: a report is due every heartbeat. */
  get lostAfterMs(): number {
    return this.heartbeatMs * 1.5;
  }

  /** Reports for `id` now and every heartbeat until `stop` is called. */
  async start(id: string): Promise<{ stop(): void }> {
    const beat = () => this.redis.eval(BEAT, 1, this.key, id).catch((err: unknown) => this.log.debug({ err, jobId: id }, 'job heartbeat not written'));
    await beat();
    const timer = setInterval(() => void beat(), this.heartbeatMs);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  }

  /** The job has ended: nothing is due from its worker any more. */
  async ended(id: string): Promise<void> {
    await this.redis.hdel(this.key, id);
  }

  /** Redis's time now, and the last report of every job that has one. */
  async all(): Promise<{ now: number; beats: Map<string, string> }> {
    const [now, beats] = await Promise.all([this.now(), this.redis.hgetall(this.key)]);
    return { now, beats: new Map(Object.entries(beats)) };
  }

  /** Milliseconds since the last report for `id`, when longer than a lost worker's silence. */
  async silentMs(id: string): Promise<number | undefined> {
    const [now, at] = await Promise.all([this.now(), this.redis.hget(this.key, id)]);
    const ms = at === null ? undefined : now - Number(at);
    return ms !== undefined && ms > this.lostAfterMs ? ms : undefined;
  }

  /**
   * True for exactly one caller per loss (a job and its last report; `loss` names it, the last report by
   * default), and only while it is still silent.
   */
  async claim(id: string, loss: string, last = loss): Promise<boolean> {
    return (await this.redis.eval(CLAIM, 2, this.key, `${this.key}:lost:${id}:${loss}`, id, last, String(CLAIM_TTL_MS))) === 1;
  }

  /** Undoes `claim` of this loss: the next claim of it succeeds again. */
  async unclaim(id: string, loss: string): Promise<void> {
    await this.redis.del(`${this.key}:lost:${id}:${loss}`);
  }

  /** Redis's clock in ms (ioredis types TIME as numbers; the reply is two strings: seconds, microseconds). */
  async now(): Promise<number> {
    const [s, us] = await this.redis.time();
    return Number(s) * 1000 + Math.floor(Number(us) / 1000);
  }
}
