import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DeployStore, LastDeploy, LockHolder } from './types.js';

/** Deletes the key only when it still holds the value the caller read: compare-and-delete in one step. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Locks as `SET NX` keys (`<prefix>:deploy:lock:<target>`), so two replicas can never both take one;
 * the last deploy per target in a hash. The value is the holder's JSON, compared whole on release.
 */
export class RedisDeployStore implements DeployStore {
  readonly #redis: Redis;

  constructor(
    url: string,
    private readonly prefix: string,
    log: Logger,
  ) {
    this.#redis = new Redis(url, { maxRetriesPerRequest: 2 });
    this.#redis.on('error', (err) => log.warn({ err }, 'redis error (deploy locks)'));
  }

  async lock(target: string, holder: LockHolder): Promise<{ ok: true } | { ok: false; holder: LockHolder }> {
    const set = await this.#redis.set(this.#lockKey(target), JSON.stringify(holder), 'NX');
    if (set === 'OK') return { ok: true };
    const held = await this.holder(target);
    // Released between our SET and GET: try once more rather than report a holder that is gone.
    if (!held) return this.lock(target, holder);
    return { ok: false, holder: held };
  }

  async holder(target: string): Promise<LockHolder | undefined> {
    const raw = await this.#redis.get(this.#lockKey(target));
    return raw ? (JSON.parse(raw) as LockHolder) : undefined;
  }

  async release(target: string, expected: LockHolder): Promise<boolean> {
    const n = await this.#redis.eval(RELEASE, 1, this.#lockKey(target), JSON.stringify(expected));
    return n === 1;
  }

  async setLast(target: string, last: LastDeploy): Promise<void> {
    await this.#redis.hset(`${this.prefix}:deploy:last`, target, JSON.stringify(last));
  }

  async last(target: string): Promise<LastDeploy | undefined> {
    const raw = await this.#redis.hget(`${this.prefix}:deploy:last`, target);
    return raw ? (JSON.parse(raw) as LastDeploy) : undefined;
  }

  async markStarted(jobId: string): Promise<boolean> {
    // Kept as long as BullMQ keeps the job (7 days): a job handed over later than that no longer exists.
    return (await this.#redis.set(`${this.prefix}:deploy:started:${jobId}`, '1', 'EX', 7 * 86_400, 'NX')) === 'OK';
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }

  #lockKey(target: string): string {
    return `${this.prefix}:deploy:lock:${target}`;
  }
}
