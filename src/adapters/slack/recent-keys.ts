import type { SeenKeys } from '../../services/redis-seen-keys.js';

/**
 * Remembers keys (Slack trigger ids) for a while, so a redelivered request is recognised and not
 * run a second time. In-memory: a retry that lands on another replica is not caught here.
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
