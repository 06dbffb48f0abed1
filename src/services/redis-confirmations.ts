import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { CONFIRM_TTL_MS, confirmCode, type ConfirmStore, type Pending, type TakeRule, type Taken } from '../core/confirmations.js';

/** Kept past its expiry for this long, so a late press hears "expired" rather than "unknown". */
const LINGER_MS = 10 * 60_000;

/**
 * Take in one step: only a principal the rule (ARGV[2]) lets through gets (and deletes) the request:
 * the one who asked (`owner`) or anyone else (`other`); the rest see whose it is and leave it. Two
 * presses on two replicas: one wins, the other finds nothing.
 */
const TAKE = `local v = redis.call('GET', KEYS[1])
if not v then return nil end
local p = cjson.decode(v)
if (ARGV[2] == 'owner') == (p.principalKey ~= ARGV[1]) then return {'refused', v} end
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
    private readonly rule: TakeRule = 'owner',
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
    const r = (await this.#redis.eval(TAKE, 1, this.#key(code.toUpperCase()), principalKey, this.rule)) as [string, string] | null;
    if (!r) return { ok: false, reason: 'unknown' };
    const pending = revive(r[1]);
    if (pending.expiresAt <= this.now()) {
      if (r[0] === 'refused') await this.#redis.del(this.#key(pending.code));
      return { ok: false, reason: 'expired' };
    }
    if (r[0] === 'refused') return { ok: false, reason: this.rule === 'owner' ? 'foreign' : 'self', owner: pending.invocation.principal.name };
    return { ok: true, pending };
  }

  async peek(code: string): Promise<Pending | undefined> {
    const raw = await this.#redis.get(this.#key(code.toUpperCase()));
    const p = raw === null ? undefined : revive(raw);
    return p && p.expiresAt > this.now() ? p : undefined;
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }

  #key(code: string): string {
    return `${this.prefix}:${this.rule === 'owner' ? 'confirm' : 'approve'}:${code}`;
  }
}

/** Held requests are written by this class only, so the stored JSON has Pending's shape; dates come back as strings. */
function revive(text: string): Pending {
  const raw = JSON.parse(text) as Pending & { invocation: { receivedAt: string } };
  return { ...raw, invocation: { ...raw.invocation, receivedAt: new Date(raw.invocation.receivedAt) } };
}
