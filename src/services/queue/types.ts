import { randomInt } from 'node:crypto';
import type { Principal, ThreadRef } from '../../core/thread.js';
import type { BurnResult, Progress } from '../devices/types.js';

/** Everything a worker in any process needs to run and report one burn. Serialisable. */
export interface BurnJobData {
  readonly agent: string;
  readonly drive: string;
  readonly image: string;
  readonly verify: boolean;
  readonly requester: Principal;
  readonly thread: ThreadRef;
  readonly requestedAt: string;
}

export type BurnJobState = 'queued' | 'running' | 'finished' | 'failed';

export interface BurnJobView {
  readonly id: string;
  readonly data: BurnJobData;
  readonly state: BurnJobState;
  /** Jobs ahead of this one on its drive (queued jobs only). */
  readonly position?: number;
  readonly progress?: Progress;
  readonly result?: BurnResult;
  readonly error?: string;
}

/** Runs one burn to its end and returns the agent's result; throws when the job cannot finish. */
export type BurnProcessor = (id: string, data: BurnJobData, progress: (p: Progress) => void) => Promise<BurnResult>;

/** One queue per drive, one job at a time on each; ids are unique across drives. */
export interface BurnQueue {
  /** Queues the job under `id`; returns how many jobs are ahead of it on that drive. */
  add(id: string, data: BurnJobData): Promise<{ position: number }>;
  get(id: string): Promise<BurnJobView | undefined>;
  /** Queued and running jobs, per drive in order. */
  list(): Promise<BurnJobView[]>;
  /** Removes a job that has not started; says what it found otherwise. */
  removeQueued(id: string): Promise<'removed' | BurnJobState | 'unknown'>;
  /** Runs `processor` for the given drives' queues in this process (idempotent per drive). */
  work(drives: readonly { agent: string; drive: string }[], processor: BurnProcessor): void;
  close(): Promise<void>;
}

/** A short id people can type: `b` and six lower-case letters or digits. */
export function newJobId(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  let id = 'b';
  for (let i = 0; i < 6; i++) id += alphabet[randomInt(alphabet.length)];
  return id;
}
