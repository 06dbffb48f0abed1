import { isAfter, positionOf, threadKey, type EntryHandler, type Following, type RelayEntry, type ThreadRelay } from '../../relay/entry.js';
import type { ThreadRef } from '../../core/thread.js';

interface Follower {
  readonly handler: EntryHandler;
  /** The position its browser has seen (Last-Event-ID): only entries after it are handed on. */
  readonly from: string | undefined;
  /** While a delivery is still under way (an async handler, or the backlog): later ones wait behind it. */
  chain: Promise<void> | undefined;
  stopped: boolean;
  readonly finish: () => void;
}

interface Thread {
  readonly key: string;
  /** What the one read of the thread has brought so far, for followers who come later. */
  readonly entries: { readonly e: RelayEntry; readonly at: string }[];
  readonly followers: Set<Follower>;
  following?: Following;
  /** Entries were dropped from `entries` (past `keep`): a page that needs older ones reads them itself. */
  dropped: boolean;
}

/**
 * One read of a thread's relay stream for every job page open on it in this process (docs/web.md,
 * "Live updates"): a hundred pages following one burn cost one Redis connection and one parse per
 * update, not a hundred. A page that opens later gets what the read has brought so far (at most
 * `keep` entries, as the stream itself keeps a bounded backlog; only those after `after`, a position
 * its browser has seen), then the rest as it comes, each page in order at its own pace. A page that needs entries the
 * shared read has already dropped (the relay may still keep them) reads the thread itself, so none is skipped.
 * The read stops when its last page goes, or at the thread's final line.
 */
export class SharedFollows {
  readonly #threads = new Map<string, Thread>();

  constructor(
    private readonly relay: Pick<ThreadRelay, 'follow'>,
    private readonly keep = 500,
  ) {}

  follow(ref: ThreadRef, onEntry: EntryHandler, after?: string): Following {
    const from = positionOf(after);
    const key = threadKey(ref);
    const known = this.#threads.get(key);
    const oldest = known?.entries[0]?.at;
    if (known?.dropped && oldest !== undefined && (from === undefined || isAfter(oldest, from))) return this.relay.follow(ref, onEntry, from);
    const t = known ?? this.#open(key, ref);
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    const f: Follower = { handler: onEntry, from, chain: undefined, stopped: false, finish };
    t.followers.add(f);
    // The backlog goes after follow() has returned, as every later entry may.
    this.#track(f, Promise.resolve());
    for (const k of t.entries) this.#deliver(t, f, k.e, k.at);
    return { stop: () => this.#leave(t, f), done };
  }

  /** Threads read now (for tests and metrics). */
  get reading(): number {
    return this.#threads.size;
  }

  #open(key: string, ref: ThreadRef): Thread {
    const t: Thread = { key, entries: [], followers: new Set(), dropped: false };
    this.#threads.set(key, t);
    const following = this.relay.follow(ref, (e, at) => {
      t.entries.push({ e, at });
      if (t.entries.length > this.keep) {
        t.entries.shift();
        t.dropped = true;
      }
      for (const f of t.followers) this.#deliver(t, f, e, at);
      return e.op === 'final';
    });
    t.following = following;
    void following.done.then(() => {
      // The read is over (the final line, the relay closing): a page that opens now starts a new one.
      if (this.#threads.get(key) === t) this.#threads.delete(key);
      for (const f of t.followers) this.#after(f, () => this.#leave(t, f));
    });
    return t;
  }

  /**
   * Hands an entry to one page, in order: at once when nothing of its is under way (a page's handler
   * that answers at once costs no promise), else behind what is.
   */
  #deliver(t: Thread, f: Follower, e: RelayEntry, at: string): void {
    if (f.stopped || (f.from !== undefined && !isAfter(at, f.from))) return;
    if (f.chain) this.#track(f, f.chain.then(() => this.#run(t, f, e, at)));
    else {
      const pending = this.#run(t, f, e, at);
      if (pending) this.#track(f, pending);
    }
  }

  /** Runs the page's handler on one entry; a promise only when the handler answers with one. */
  #run(t: Thread, f: Follower, e: RelayEntry, at: string): Promise<void> | undefined {
    if (f.stopped) return undefined;
    let stop: boolean | Promise<boolean>;
    try {
      stop = f.handler(e, at);
    } catch {
      this.#leave(t, f);
      return undefined;
    }
    if (typeof stop === 'boolean') {
      if (stop) this.#leave(t, f);
      return undefined;
    }
    return stop.then(
      (s) => void (s && this.#leave(t, f)),
      () => this.#leave(t, f),
    );
  }

  #track(f: Follower, p: Promise<void>): void {
    f.chain = p;
    void p.then(() => {
      if (f.chain === p) f.chain = undefined;
    });
  }

  /** Runs `then` once what is under way for the page is done. */
  #after(f: Follower, then: () => void): void {
    if (f.chain) void f.chain.then(then);
    else then();
  }

  #leave(t: Thread, f: Follower): void {
    if (f.stopped) return;
    f.stopped = true;
    t.followers.delete(f);
    this.#after(f, f.finish);
    if (t.followers.size === 0) {
      if (this.#threads.get(t.key) === t) this.#threads.delete(t.key);
      t.following?.stop();
    }
  }
}
