import type { Redis } from 'ioredis';
import { connectRedis, type RedisWhere } from '../redis/connect.js';
import type { Logger } from 'pino';

/** Remembers keys (Slack trigger ids, Discord interaction ids) so a redelivery or replay is not run twice. */
export interface SeenKeys {
  /** True the first time a key is offered within the TTL; false for a repeat. */
  firstSeen(key: string): boolean | Promise<boolean>;
  close?(): void;
}

/**
 * Across replicas: `SET <prefix>:seen:<key> NX PX ttl` in Redis, so a Slack retry that lands on
 * another replica behind the load balancer (or a replayed Discord interaction) is recognised too. While Redis cannot answer, the
 * replica's own memory decides (a retry to the same replica is still caught).
 */
export class RedisSeenKeys implements SeenKeys {
  readonly #redis: Redis;

  constructor(
    where: RedisWhere,
    private readonly prefix: string,
    private readonly local: SeenKeys,
    private readonly log: Logger,
    private readonly ttlMs = 10 * 60_000,
  ) {
    // A Redis that takes connections but does not answer must not hold up the platform's 3 s answer:
    // after the command profile's timeout the replica's own memory decides, as when Redis is down.
    this.#redis = connectRedis(where, { role: 'seen-keys', profile: 'command' });
    this.#redis.on('error', (err) => log.warn({ err }, 'redis error (seen keys)'));
  }

  async firstSeen(key: string): Promise<boolean> {
    const local = await this.local.firstSeen(key);
    try {
      return (await this.#redis.set(`${this.prefix}:seen:${key}`, '1', 'PX', this.ttlMs, 'NX')) === 'OK';
    } catch (err) {
      this.log.warn({ err }, 'redis unavailable; this replica alone decides whether a request is a retry');
      return local;
    }
  }

  close(): void {
    this.#redis.disconnect();
  }
}

/**
 * Remembers keys (Slack trigger ids, Discord interaction ids) for a while in this process, so a
 * redelivered or replayed request is recognised and not run a second time.
 */
export class RecentKeys implements SeenKeys {
  readonly #seen = new Map<string, number>();

  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly max = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True the first time a key is offered within the TTL; false for a repeat. */
  firstSeen(key: string): boolean {
    const t = this.now();
    this.#prune(t);
    if (this.#seen.has(key)) return false;
    this.#seen.set(key, t);
    return true;
  }

  #prune(t: number): void {
    // Map iteration is insertion order, so the oldest entries come first.
    for (const [k, at] of this.#seen) {
      if (t - at < this.ttlMs && this.#seen.size <= this.max) break;
      this.#seen.delete(k);
    }
  }
}
