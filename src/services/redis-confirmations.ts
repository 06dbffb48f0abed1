import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { CONFIRM_TTL_MS, confirmCode, type ConfirmStore, type Pending, type Taken } from '../core/confirmations.js';

/** Kept past its expiry for this long, so a late press hears "expired" rather than "unknown". */
const LINGER_MS = 10 * 60_000;

/**
 * Take in one step: only the principal who asked gets (and deletes) the request; anyone else sees
 * whose it is and leaves it. Two presses by the owner on two replicas: one wins, the other finds nothing.
 */
const TAKE = `local v = redis.call('GET', KEYS[1])
if not v then return nil end
local p = cjson.decode(v)
if p.principalKey ~= ARGV[1] then return {'foreign', v} end
redis.call('DEL', KEYS[1])
return {'ok', v}`;

/**
 * Pending confirmations in Redis (`<prefix>:confirm:<code>`), so a Confirm press can reach any
 * replica behind the load balancer, not only the one that asked.
 */
export class RedisConfirmations implements ConfirmStore {
  readonly #redis: Redis;

  constructor(
    url: string,
    private readonly prefix: string,
    log: Logger,
    private readonly now: () => number = Date.now,
    readonly ttlMs = CONFIRM_TTL_MS,
  ) {
    this.#redis = new Redis(url, { maxRetriesPerRequest: 2 });
    this.#redis.on('error', (err) => log.warn({ err }, 'redis error (confirmations)'));
  }

  async add(p: Omit<Pending, 'code' | 'expiresAt'>): Promise<Pending> {
    for (;;) {
      const pending: Pending = { ...p, code: confirmCode(), expiresAt: this.now() + this.ttlMs };
      const set = await this.#redis.set(this.#key(pending.code), JSON.stringify(pending), 'PX', this.ttlMs + LINGER_MS, 'NX');
      if (set === 'OK') return pending;
    }
  }

  async take(code: string, principalKey: string): Promise<Taken> {
    const r = (await this.#redis.eval(TAKE, 1, this.#key(code.toUpperCase()), principalKey)) as [string, string] | null;
    if (!r) return { ok: false, reason: 'unknown' };
    const raw = JSON.parse(r[1]) as Pending & { invocation: { receivedAt: string } };
    const pending: Pending = { ...raw, invocation: { ...raw.invocation, receivedAt: new Date(raw.invocation.receivedAt) } };
    if (pending.expiresAt <= this.now()) {
      if (r[0] === 'foreign') await this.#redis.del(this.#key(pending.code));
      return { ok: false, reason: 'expired' };
    }
    if (r[0] === 'foreign') return { ok: false, reason: 'foreign', owner: pending.invocation.principal.name };
    return { ok: true, pending };
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }

  #key(code: string): string {
    return `${this.prefix}:confirm:${code}`;
  }
}
