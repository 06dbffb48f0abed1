import type { Redis } from 'ioredis';
import { connectRedis, replicaWaitMs, untilReplicated, type RedisWhere } from '../../redis/connect.js';
import type { Logger } from 'pino';
import { onRedis } from '../redis-errors.js';
import type { DeployStore, LastDeploy, LockHolder } from './types.js';

const READ = { what: 'the deploy lock store', consequence: 'nothing was changed' };

/** Deletes the key only when it still holds the value the caller read: compare-and-delete in one step. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Locks as `SET NX` keys (`<prefix>:deploy:lock:<target>`), so two replicas can never both take one;
 * the last deploy per target in a hash. The value is the holder's JSON, compared whole on release.
 */
export class RedisDeployStore implements DeployStore {
  readonly #redis: Redis;
  readonly #replicaWaitMs: number;

  constructor(
    where: RedisWhere,
    private readonly prefix: string,
    log: Logger,
  ) {
    this.#redis = connectRedis(where, { role: 'deploy-locks', profile: 'command' });
    this.#replicaWaitMs = replicaWaitMs(where);
    this.#redis.on('error', (err) => log.warn({ err }, 'redis error (deploy locks)'));
  }

  // Locks are taken, read and released on a command's path: each call is bounded (onRedis), and a
  // Redis that is down or hung is a short reply saying what was done, not a command that hangs.

  async lock(target: string, holder: LockHolder): Promise<{ ok: true } | { ok: false; holder: LockHolder }> {
    const f = { what: 'the deploy lock store', consequence: `nothing was locked`, ifSent: `the lock on ${target} may or may not be taken: /deploy list shows` };
    const set = await onRedis(this.#redis.set(this.#lockKey(target), JSON.stringify(holder), 'NX'), f);
    if (set === 'OK') return { ok: true };
    const held = await this.holder(target);
    // Released between our SET and GET: try once more rather than report a holder that is gone.
    if (!held) return this.lock(target, holder);
    return { ok: false, holder: held };
  }

  async holder(target: string): Promise<LockHolder | undefined> {
    const raw = await onRedis(this.#redis.get(this.#lockKey(target)), READ);
    return raw ? (JSON.parse(raw) as LockHolder) : undefined;
  }

  async release(target: string, expected: LockHolder): Promise<boolean> {
    const f = { what: 'the deploy lock store', consequence: `the lock on ${target} was not released`, ifSent: `the lock on ${target} may or may not be released: /deploy list shows` };
    const n = await onRedis(this.#redis.eval(RELEASE, 1, this.#lockKey(target), JSON.stringify(expected)), f);
    return n === 1;
  }

  async setLast(target: string, last: LastDeploy): Promise<void> {
    await this.#redis.hset(`${this.prefix}:deploy:last`, target, JSON.stringify(last));
  }

  async last(target: string): Promise<LastDeploy | undefined> {
    const raw = await onRedis(this.#redis.hget(`${this.prefix}:deploy:last`, target), READ);
    return raw ? (JSON.parse(raw) as LastDeploy) : undefined;
  }

  async markStarted(jobId: string): Promise<boolean> {
    // Kept as long as BullMQ keeps the job (7 days): a job handed over later than that no longer exists.
    const first = (await this.#redis.set(`${this.prefix}:deploy:started:${jobId}`, '1', 'EX', 7 * 86_400, 'NX')) === 'OK';
    // The mark must outlive a failover, or a job handed over after it would call the webhook again (docs/hosting.md).
    if (first) await untilReplicated(this.#redis, this.#replicaWaitMs).catch(() => undefined);
    return first;
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }

  #lockKey(target: string): string {
    return `${this.prefix}:deploy:lock:${target}`;
  }
}
