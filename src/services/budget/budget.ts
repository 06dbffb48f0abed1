import type { Logger } from 'pino';
import type { Rate } from './gcra.js';
import { MemoryReservations } from './memory-store.js';
import type { ReservationStore } from './types.js';

/** How often a Redis failure is logged while this process falls back to its own budget. */
const WARN_EVERY_MS = 60_000;
/** After a failure the store is left alone this long: an outage must not add a timeout to every call. */
const BREAK_MS = 5_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Calls to a platform paced under its published limits, before the platform has to refuse them
 * (docs/rate-limits.md). Every call reserves its own slot in the order it asks, so callers of a key
 * go in turn across every process that shares the store: each thread's next edit queues behind the
 * others' (round robin) instead of the fastest one taking the budget. In Redis, one budget per
 * workspace is shared by all processes; while Redis cannot answer, this process's memory paces.
 */
export class RateBudget {
  readonly #fallback = new MemoryReservations();
  /** Per key: no call before this time (a 429's Retry-After seen here). */
  readonly #heldUntil = new Map<string, number>();
  #waiting = 0;
  #brokenUntil = 0;
  #warnedAt = 0;

  constructor(
    private readonly store: ReservationStore = new MemoryReservations(),
    private readonly log?: Logger,
  ) {}

  /** Resolves when one call under `key` may go now. */
  async take(key: string, rate: Rate): Promise<void> {
    this.#waiting++;
    try {
      for (;;) {
        const waitMs = await this.#reserve(key, rate);
        if (waitMs > 0) await sleep(waitMs);
        // A 429 that came while this slept: its slot predates the penalty, so it takes a new one.
        const held = this.#heldUntil.get(key);
        if (held === undefined || held <= Date.now()) return;
      }
    } finally {
      this.#waiting--;
    }
  }

  /** The platform answered 429 with Retry-After: hold every caller of `key`, here and elsewhere. */
  async penalize(key: string, rate: Rate, ms: number): Promise<void> {
    this.#heldUntil.set(key, Math.max(this.#heldUntil.get(key) ?? 0, Date.now() + ms));
    if (this.#heldUntil.size > 1000) for (const [k, t] of this.#heldUntil) if (t <= Date.now()) this.#heldUntil.delete(k);
    await this.#fallback.penalize(key, rate, ms);
    if (Date.now() >= this.#brokenUntil) await this.store.penalize(key, rate, ms).catch((err: unknown) => this.#broke(err));
  }

  /** Callers waiting for their slot (tests, metrics). */
  get waiting(): number {
    return this.#waiting;
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  async #reserve(key: string, rate: Rate): Promise<number> {
    if (Date.now() < this.#brokenUntil) return this.#fallback.reserve(key, rate);
    try {
      return await this.store.reserve(key, rate);
    } catch (err) {
      this.#broke(err);
      return this.#fallback.reserve(key, rate);
    }
  }

  #broke(err: unknown): void {
    const now = Date.now();
    this.#brokenUntil = now + BREAK_MS;
    if (now - this.#warnedAt < WARN_EVERY_MS) return;
    this.#warnedAt = now;
    this.log?.warn({ err }, 'rate budget: redis unavailable; this process paces its own calls until it is back');
  }
}
