import type { Redis } from 'ioredis';
import { connectRedis, type RedisWhere } from '../redis/connect.js';
import { onRedis } from './redis-errors.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ROLES } from '../words/roles.js';
import { CONFIRM_TTL_MS, confirmCode, type ConfirmStore, type Pending, type TakeRule, type Taken } from '../core/confirmations.js';

/** Kept past its expiry for this long, so a late press hears "expired" rather than "unknown". */
const LINGER_MS = 10 * 60_000;

/**
 * Take in one step: only a principal the rule (ARGV[2]) lets through gets (and deletes) the request:
 * the one who asked (`owner`) or anyone else (`other`); the rest see whose it is and leave it. Two
 * presses on two replicas: one wins, the other finds nothing. A value that is not a JSON object is
 * no request.
 */
const TAKE = `local v = redis.call('GET', KEYS[1])
if not v then return nil end
local ok, p = pcall(cjson.decode, v)
if not ok or type(p) ~= 'table' then return nil end
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
    where: RedisWhere,
    private readonly prefix: string,
    log: Logger,
    private readonly now: () => number = Date.now,
    /** Not readonly: a reload sets the approval TTL (access.approvalTtl) for requests held from then on. */
    public ttlMs = CONFIRM_TTL_MS,
    private readonly rule: TakeRule = 'owner',
  ) {
    // A code is made or taken inside a command: a Redis that does not answer fails it with a short reply.
    this.#redis = connectRedis(where, { role: rule === 'owner' ? 'confirmations' : 'approvals', profile: 'command' });
    this.#redis.on('error', (err) => log.warn({ err }, 'redis error (confirmations)'));
  }

  async add(p: Omit<Pending, 'code' | 'expiresAt'>): Promise<Pending> {
    for (;;) {
      const pending: Pending = { ...p, code: confirmCode(), expiresAt: this.now() + this.ttlMs };
      // Not held is not run: the request is gone, and the caller hears so.
      const set = await onRedis(this.#redis.set(this.#key(pending.code), JSON.stringify(pending), 'PX', this.ttlMs + LINGER_MS, 'NX'), { what: this.#what(), consequence: 'nothing was run or held; ask again shortly' });
      if (set === 'OK') return pending;
    }
  }

  async take(code: string, principalKey: string): Promise<Taken> {
    const f = { what: this.#what(), consequence: `nothing was run; if ${code} no longer works afterwards, ask again` };
    const r = (await onRedis(this.#redis.eval(TAKE, 1, this.#key(code.toUpperCase()), principalKey, this.rule), f)) as [string, string] | null;
    if (!r) return { ok: false, reason: 'unknown' };
    const pending = revive(r[1]);
    if (!pending) return { ok: false, reason: 'unknown' };
    if (pending.expiresAt <= this.now()) {
      if (r[0] === 'refused') await this.#redis.del(this.#key(pending.code));
      return { ok: false, reason: 'expired' };
    }
    if (r[0] === 'refused') return { ok: false, reason: this.rule === 'owner' ? 'foreign' : 'self', owner: pending.invocation.principal.name };
    return { ok: true, pending };
  }

  async peek(code: string): Promise<Pending | undefined> {
    const raw = await onRedis(this.#redis.get(this.#key(code.toUpperCase())), { what: this.#what(), consequence: 'nothing was run' });
    const p = raw === null ? undefined : revive(raw);
    return p && p.expiresAt > this.now() ? p : undefined;
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }

  #what(): string {
    return this.rule === 'owner' ? 'the confirmation store' : 'the approval store';
  }

  #key(code: string): string {
    return `${this.prefix}:${this.rule === 'owner' ? 'confirm' : 'approve'}:${code}`;
  }
}

const argValue = z.union([z.string(), z.number(), z.boolean()]);
/** A held request as this class writes it; Redis is outside the process, so it is parsed, not cast. */
const pendingSchema = z.object({
  code: z.string(),
  principalKey: z.string(),
  path: z.string(),
  args: z.record(z.string(), argValue.optional()),
  invocation: z.object({
    id: z.string(),
    platform: z.string(),
    principal: z.object({ key: z.string(), name: z.string(), guild: z.string().optional(), memberRoles: z.array(z.string()).optional() }),
    room: z.string(),
    command: z.string(),
    text: z.string().optional(),
    options: z.object({ subcommand: z.string().optional(), values: z.record(z.string(), argValue) }).optional(),
    receivedAt: z.iso.datetime().transform((s) => new Date(s)),
  }),
  expiresAt: z.number(),
  approvers: z.array(z.enum(ROLES)).optional(),
  specs: z.string(),
});

/** A stored request that does not parse (another version wrote it, or it was tampered with) is no request. */
function revive(text: string): Pending | undefined {
  try {
    const parsed = pendingSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
