import type { Logger } from 'pino';
import type { Rate } from './gcra.js';
import { MemoryReservations } from './memory-store.js';
import type { ReservationStore } from './types.js';

/** How often a Redis failure is logged while this process falls back to its own budget. */
const WARN_EVERY_MS = 60_000;

/**
 * Calls to a platform paced under its published limits, before the platform has to refuse them
 * (docs/rate-limits.md). Callers of one key wait in a queue in this process and are let through one
 * at a time as reservations come due, so every thread gets its turn (round robin) instead of the
 * fastest one taking the budget. The reservations themselves live in `store`: in Redis, one budget
 * per workspace is shared by every process; while Redis cannot answer, this process's memory paces.
 */
export class RateBudget {
  readonly #queues = new Map<string, (() => void)[]>();
  readonly #fallback = new MemoryReservations();
  #warnedAt = 0;

  constructor(
    private readonly store: ReservationStore = new MemoryReservations(),
    private readonly log?: Logger,
  ) {}

  /** Resolves when one call under `key` may go now. */
  take(key: string, rate: Rate): Promise<void> {
    return new Promise((resolve) => {
      const queue = this.#queues.get(key);
      if (queue) {
        queue.push(resolve);
        return;
      }
      this.#queues.set(key, [resolve]);
      void this.#pump(key, rate);
    });
  }

  /** The platform answered 429 with Retry-After: hold every caller of `key`, here and elsewhere. */
  async penalize(key: string, rate: Rate, ms: number): Promise<void> {
    await this.store.penalize(key, rate, ms).catch((err: unknown) => this.#warn(err));
    await this.#fallback.penalize(key, rate, ms);
  }

  /** Callers still waiting, across keys (metrics, tests). */
  get waiting(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.length;
    return n;
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  async #pump(key: string, rate: Rate): Promise<void> {
    const queue = this.#queues.get(key)!;
    while (queue.length) {
      const waitMs = await this.store.reserve(key, rate).catch((err: unknown) => {
        this.#warn(err);
        return this.#fallback.reserve(key, rate);
      });
      if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
      queue.shift()!();
    }
    this.#queues.delete(key);
  }

  #warn(err: unknown): void {
    const now = Date.now();
    if (now - this.#warnedAt < WARN_EVERY_MS) return;
    this.#warnedAt = now;
    this.log?.warn({ err }, 'rate budget: redis unavailable; this process paces its own calls until it is back');
  }
}
