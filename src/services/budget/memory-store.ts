import { penalize, reserve, type Rate } from './gcra.js';
import type { ReservationStore } from './types.js';

/** Keys whose TAT is this far in the past are forgotten, so a long-running process keeps few of them. */
const FORGET_AFTER_MS = 10 * 60_000;

/** Reservations in this process only: the demo, tests, and the fallback while Redis cannot answer. */
export class MemoryReservations implements ReservationStore {
  readonly #tat = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async reserve(key: string, rate: Rate): Promise<number> {
    const now = this.now();
    const r = reserve(this.#tat.get(key), now, rate);
    this.#tat.set(key, r.tat);
    this.#sweep(now);
    return r.waitMs;
  }

  async penalize(key: string, rate: Rate, ms: number): Promise<void> {
    this.#tat.set(key, penalize(this.#tat.get(key), this.now(), rate, ms));
  }

  async close(): Promise<void> {}

  #sweep(now: number): void {
    if (this.#tat.size < 1000) return;
    for (const [k, tat] of this.#tat) if (tat < now - FORGET_AFTER_MS) this.#tat.delete(k);
  }
}
