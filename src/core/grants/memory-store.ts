import type { Grant, GrantStore, NewGrant, RevokeResult } from './types.js';

/** Grants in this process only: the demo and a bot without MySQL. They do not survive a restart. */
export class MemoryGrantStore implements GrantStore {
  readonly durable = false;
  readonly #grants = new Map<number, Grant>();
  readonly #revoked = new Set<number>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async add(g: NewGrant): Promise<Grant> {
    const grant: Grant = { ...g, id: this.#grants.size + 1, createdAt: this.now() };
    this.#grants.set(grant.id, grant);
    return grant;
  }

  async revoke(id: number, _by: string, now: Date): Promise<RevokeResult> {
    const grant = this.#grants.get(id);
    if (!grant) return { ok: false, reason: 'unknown' };
    if (this.#revoked.has(id)) return { ok: false, reason: 'revoked' };
    if (grant.expiresAt <= now) return { ok: false, reason: 'expired' };
    this.#revoked.add(id);
    return { ok: true, grant };
  }

  async active(now: Date): Promise<Grant[]> {
    return [...this.#grants.values()].filter((g) => !this.#revoked.has(g.id) && g.expiresAt > now);
  }
}
