import type { Redis } from 'ioredis';
import { connectRedis, type RedisWhere } from '../../redis/connect.js';
import type { Rate } from './gcra.js';
import type { ReservationStore } from './types.js';

/**
 * The GCRA of gcra.ts, run inside Redis so that every process reserving under a key sees the same
 * TAT and the same clock (Redis's TIME, not each host's). ARGV: interval ms, burst, [penalty ms].
 * Without a penalty it reserves and returns the whole milliseconds to wait; with one it pushes the
 * TAT out and returns 0. The key expires once its TAT has passed, so idle channels leave nothing.
 */
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local stored = tonumber(redis.call('GET', KEYS[1]) or now)
local tat = math.max(stored, now)
if ARGV[3] then
  tat = math.max(tat, now + tonumber(ARGV[3]) + (burst - 1) * interval)
  redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil(tat - now) + 1000)
  return 0
end
local goAt = tat - (burst - 1) * interval
local newTat = tat + interval
redis.call('SET', KEYS[1], tostring(newTat), 'PX', math.ceil(newTat - now) + 1000)
return math.max(0, math.ceil(goAt - now))
`;

/** Reservations shared by every process that uses the same Redis and prefix (docs/rate-limits.md). */
export class RedisReservations implements ReservationStore {
  readonly #redis: Redis;

  constructor(
    where: RedisWhere,
    private readonly prefix: string,
    onError: (err: unknown) => void,
  ) {
    // An answer within half a second or none: a caller that cannot reach Redis (down, or a connection
    // that never answers) falls back to this process's own budget instead of waiting for reconnects.
    // Connected on first use: a process that never talks to Slack or Discord holds no connection.
    this.#redis = connectRedis(where, { role: 'budget', profile: 'command', commandTimeoutMs: 500, lazy: true });
    this.#redis.on('error', onError);
  }

  async reserve(key: string, rate: Rate): Promise<number> {
    return Number(await this.#redis.eval(SCRIPT, 1, this.#key(key), rate.intervalMs, rate.burst));
  }

  async penalize(key: string, rate: Rate, ms: number): Promise<void> {
    await this.#redis.eval(SCRIPT, 1, this.#key(key), rate.intervalMs, rate.burst, ms);
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }

  #key(key: string): string {
    return `${this.prefix}:budget:${key}`;
  }
}
