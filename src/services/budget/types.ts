import type { Rate } from './gcra.js';

/** Where reservations are kept: this process's memory, or Redis so that every process shares them. */
export interface ReservationStore {
  /** Reserves one call under `key`; resolves with how long to wait before making it. */
  reserve(key: string, rate: Rate): Promise<number>;
  /** The platform answered 429: nothing under `key` goes for `ms`. */
  penalize(key: string, rate: Rate, ms: number): Promise<void>;
  close(): Promise<void>;
}
