import type { ThreadRef } from '../core/thread.js';
import { isAfter, parseBroadcast, positionOf, threadKey, type EntryHandler, type Following, type RelayEntry, type RelayUpdate, type ThreadRelay } from './entry.js';

/**
 * The relay inside one process (the demo, unit tests): the same contract as Redis, so /burn watch
 * works in the demo. Bounded like the streams: `maxLen` entries per thread, `maxThreads` threads.
 */
export class MemoryRelay implements ThreadRelay {
  readonly #threads = new Map<string, Kept[]>();
  readonly #listeners = new Map<string, Set<(k: Kept) => void>>();
  /** Entry positions, `0-<n>`, in the form of a Redis stream's ids (EntryHandler). */
  #seq = 0;
  readonly #following = new Set<() => void>();
  readonly #topics = new Map<string, Set<(raw: string) => void>>();

  constructor(
    readonly origin: string,
    private readonly maxLen = 500,
    private readonly maxThreads = 200,
  ) {}

  publish(ref: ThreadRef, update: RelayUpdate): void {
    const key = threadKey(ref);
    const entry: Kept = { e: { o: this.origin, ...update }, at: `0-${++this.#seq}` };
    const log = this.#threads.get(key) ?? [];
    this.#threads.delete(key);
    this.#threads.set(key, log);
    log.push(entry);
    if (log.length > this.maxLen) log.shift();
    // The oldest thread goes first (a Map iterates in insertion order; a write moves a thread last).
    if (this.#threads.size > this.maxThreads) this.#threads.delete(this.#threads.keys().next().value as string);
    for (const l of this.#listeners.get(key) ?? []) l(entry);
  }

  follow(ref: ThreadRef, onEntry: EntryHandler, after?: string): Following {
    const key = threadKey(ref);
    const from = positionOf(after);
    let stopped = false;
    let chain = Promise.resolve();
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    const listeners = this.#listeners.get(key) ?? new Set();
    this.#listeners.set(key, listeners);
    const stop = () => {
      stopped = true;
      this.#following.delete(stop);
      listeners.delete(take);
      if (listeners.size === 0) this.#listeners.delete(key);
      void chain.then(finish);
    };
    // Entries are handled one after another, in order, even when the handler is slow.
    function take(k: Kept): void {
      chain = chain.then(async () => {
        if (!stopped && (await onEntry(k.e, k.at))) stop();
      });
    }
    for (const k of this.#threads.get(key) ?? []) if (from === undefined || isAfter(k.at, from)) take(k);
    listeners.add(take);
    this.#following.add(stop);
    return { stop, done };
  }

  /** One process has no other to broadcast to; the contract (others only) is kept for tests of it. */
  broadcast(topic: string, text: string): void {
    const raw = JSON.stringify({ o: this.origin, text });
    for (const l of this.#topics.get(topic) ?? []) l(raw);
  }

  async listen(topic: string, onText: (text: string) => void): Promise<() => void> {
    const listeners = this.#topics.get(topic) ?? new Set();
    this.#topics.set(topic, listeners);
    const take = (raw: string) => {
      const text = parseBroadcast(raw, this.origin);
      if (text !== undefined) onText(text);
    };
    listeners.add(take);
    return () => void listeners.delete(take);
  }

  async close(): Promise<void> {
    for (const stop of [...this.#following]) stop();
    this.#listeners.clear();
    this.#topics.clear();
  }
}

/** An entry as kept here, with its position. */
interface Kept {
  readonly e: RelayEntry;
  readonly at: string;
}
