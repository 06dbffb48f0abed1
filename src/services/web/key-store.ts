import type { Redis } from 'ioredis';
import { connectRedis, type RedisWhere } from '../../redis/connect.js';
import type { Logger } from 'pino';

/**
 * The few operations the web view's sign-in links and sessions need (docs/web.md), on Redis (shared by
 * every replica) or in this process (the demo). Values are JSON text; every key expires.
 */
export interface KeyStore {
  put(key: string, value: string, ttlMs: number): Promise<void>;
  get(key: string): Promise<string | undefined>;
  /** Reads and deletes in one step: of two callers at once, exactly one gets the value. */
  take(key: string): Promise<string | undefined>;
  del(key: string): Promise<void>;
  /** A set of members under `key` (an index), kept at least `ttlMs` from now. */
  addMember(key: string, member: string, ttlMs: number): Promise<void>;
  members(key: string): Promise<string[]>;
  removeMember(key: string, member: string): Promise<void>;
  /** Adds one to the counter at `key` and returns it; a new counter expires `ttlMs` after its first count (a fixed window). */
  bump(key: string, ttlMs: number): Promise<number>;
  /** Takes one back from a live counter (never below zero); a counter that has expired stays gone. */
  unbump(key: string): Promise<void>;
  close(): Promise<void>;
}

interface Held {
  value: string | Set<string>;
  until: number;
}

/** Past this many keys, a write first drops the expired ones, so keys nobody reads again cannot pile up. */
const SWEEP_ABOVE = 10_000;

export class MemoryKeyStore implements KeyStore {
  readonly #m = new Map<string, Held>();
  /** The size at which the next sweep runs: twice what a sweep left, so sweeps cost O(1) a write on average. */
  #sweepAt = SWEEP_ABOVE;
  constructor(private readonly now: () => number = Date.now) {}

  #set(key: string, held: Held): void {
    if (this.#m.size >= this.#sweepAt && !this.#m.has(key)) {
      for (const k of [...this.#m.keys()]) this.#live(k);
      this.#sweepAt = Math.max(SWEEP_ABOVE, 2 * this.#m.size);
    }
    this.#m.set(key, held);
  }

  #live(key: string): Held | undefined {
    const h = this.#m.get(key);
    if (h && h.until <= this.now()) {
      this.#m.delete(key);
      return undefined;
    }
    return h;
  }

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    this.#set(key, { value, until: this.now() + ttlMs });
  }
  async get(key: string): Promise<string | undefined> {
    const v = this.#live(key)?.value;
    return typeof v === 'string' ? v : undefined;
  }
  async take(key: string): Promise<string | undefined> {
    // No await between the read and the delete: two takes at once cannot both read the value.
    const v = this.#live(key)?.value;
    this.#m.delete(key);
    return typeof v === 'string' ? v : undefined;
  }
  async del(key: string): Promise<void> {
    this.#m.delete(key);
  }
  async addMember(key: string, member: string, ttlMs: number): Promise<void> {
    const h = this.#live(key);
    const set = h && typeof h.value !== 'string' ? h.value : new Set<string>();
    set.add(member);
    this.#set(key, { value: set, until: Math.max(h?.until ?? 0, this.now() + ttlMs) });
  }
  async members(key: string): Promise<string[]> {
    const v = this.#live(key)?.value;
    return v && typeof v !== 'string' ? [...v] : [];
  }
  async removeMember(key: string, member: string): Promise<void> {
    const v = this.#live(key)?.value;
    if (v && typeof v !== 'string') v.delete(member);
  }
  async bump(key: string, ttlMs: number): Promise<number> {
    const h = this.#live(key);
    const n = (h && typeof h.value === 'string' ? Number(h.value) || 0 : 0) + 1;
    this.#set(key, { value: String(n), until: h?.until ?? this.now() + ttlMs });
    return n;
  }
  async unbump(key: string): Promise<void> {
    const h = this.#live(key);
    if (h && typeof h.value === 'string') h.value = String(Math.max(0, (Number(h.value) || 0) - 1));
  }
  async close(): Promise<void> {}
}

const UNBUMP = "if (tonumber(redis.call('GET', KEYS[1]) or '0') > 0) then redis.call('DECR', KEYS[1]) end return 0";

export class RedisKeyStore implements KeyStore {
  readonly #r: Redis;
  constructor(where: RedisWhere, private readonly prefix: string, log: Logger) {
    // On a page request's path, like a chat command's: a hung Redis fails the call, not the page forever.
    this.#r = connectRedis(where, { role: 'web', profile: 'command', lazy: true });
    this.#r.on('error', (err) => log.debug({ err }, 'web store redis error'));
  }
  #k(key: string): string {
    return `${this.prefix}:web:${key}`;
  }
  async put(key: string, value: string, ttlMs: number): Promise<void> {
    await this.#r.set(this.#k(key), value, 'PX', Math.max(1, Math.round(ttlMs)));
  }
  async get(key: string): Promise<string | undefined> {
    return (await this.#r.get(this.#k(key))) ?? undefined;
  }
  async take(key: string): Promise<string | undefined> {
    // GETDEL (Redis 6.2+) is one command: a link posted twice at once signs in once.
    return (await this.#r.getdel(this.#k(key))) ?? undefined;
  }
  async del(key: string): Promise<void> {
    await this.#r.del(this.#k(key));
  }
  async addMember(key: string, member: string, ttlMs: number): Promise<void> {
    const k = this.#k(key);
    const ttl = await this.#r.pttl(k);
    const multi = this.#r.multi().sadd(k, member);
    if (ttl < ttlMs) multi.pexpire(k, Math.max(1, Math.round(ttlMs)));
    await multi.exec();
  }
  async members(key: string): Promise<string[]> {
    return this.#r.smembers(this.#k(key));
  }
  async removeMember(key: string, member: string): Promise<void> {
    await this.#r.srem(this.#k(key), member);
  }
  async bump(key: string, ttlMs: number): Promise<number> {
    const k = this.#k(key);
    // SET … NX starts the window once; INCR keeps the key's expiry, so the window stays fixed.
    const res = await this.#r.multi().set(k, '0', 'PX', Math.max(1, Math.round(ttlMs)), 'NX').incr(k).exec();
    const incr = res?.[1];
    if (!incr || incr[0]) throw incr?.[0] ?? new Error('the sign-in counter was not counted');
    return Number(incr[1]);
  }
  async unbump(key: string): Promise<void> {
    // One script: a DECR on a key that expired in between would make a counter without an expiry.
    await this.#r.eval(UNBUMP, 1, this.#k(key));
  }
  async close(): Promise<void> {
    this.#r.disconnect();
  }
}
