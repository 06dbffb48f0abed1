import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../core/errors.js';
import { ordered, windowStart } from './status.js';
import type { StatusReport, StatusService, StatusWindow } from '../core/ports.js';
import type { LatestSnapshot, RefreshOutcome, StatusRefresher, StatusSnapshotRepository } from './types.js';

export interface BackgroundOptions {
  readonly statuses?: readonly string[];
  readonly doneStatuses: readonly string[];
  /** `status.refreshMs`: how often each window is counted, across all replicas together. */
  readonly refreshMs: number;
  /** `status.refreshTimeoutMs`: one count's own limit, enforced by the server. */
  readonly refreshTimeoutMs: number;
  /** `status.snapshotRetention`. */
  readonly retentionMs: number;
  readonly hasTimeColumn: boolean;
  readonly now?: () => Date;
  readonly log?: Logger;
}

/** Longest reuse of one read of the latest snapshot (a tenth of refreshMs when that is less). */
const MEMO_MS = 1000;
/** How often a cold start looks for the counts another replica is taking. */
const COLD_POLL_MS = 200;
/** A snapshot this much younger than refreshMs is fresh enough: replicas whose timers drift apart do not count twice. */
const FRESH_SHARE = 0.8;

/**
 * /status from counts kept fresh in the background (docs/configuration.md#status). Every replica
 * ticks every `refreshMs` per window; the refresher lets one count at a time across replicas and
 * skips a window another replica counted lately. An answer reads the latest stored snapshot, so it
 * costs the same at 10 rows and at 10 M, and says how old its counts are.
 */
export class BackgroundStatusService implements StatusService {
  readonly hasTimeColumn: boolean;
  readonly #now: () => Date;
  readonly #inFlight = new Map<StatusWindow, Promise<RefreshOutcome>>();
  readonly #first = new Map<StatusWindow, Promise<LatestSnapshot>>();
  /** The latest failure of this process's refresh per window, said beside counts older than it. */
  readonly #failed = new Map<StatusWindow, { at: number; reason: string }>();
  readonly #timers = new Set<NodeJS.Timeout>();
  /** The latest snapshot as last read, per window: many answers a second share one read. */
  readonly #read = new Map<StatusWindow, { snap: LatestSnapshot; at: number }>();
  #stopped = false;
  readonly #abort = new AbortController();

  constructor(
    private readonly snapshots: StatusSnapshotRepository,
    private readonly refresher: StatusRefresher,
    private readonly opts: BackgroundOptions,
  ) {
    this.hasTimeColumn = opts.hasTimeColumn;
    this.#now = opts.now ?? (() => new Date());
  }

  get windows(): readonly StatusWindow[] {
    return this.hasTimeColumn ? ['today', '24h', '7d', 'all'] : ['all'];
  }

  start(): void {
    for (const w of this.windows) void this.#tick(w);
  }

  /** Stops the ticks, and a count under way on the server (docs/configuration.md#status): nothing runs on after a stop. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#abort.abort();
    await Promise.allSettled([...this.#inFlight.values()]);
  }

  async report(window: StatusWindow): Promise<StatusReport> {
    return this.#report(window, (await this.#latest(window)) ?? (await this.#firstCounts(window)));
  }

  async answer(window: StatusWindow, waitMs: number): Promise<StatusReport | { readonly counting: Promise<StatusReport> }> {
    const latest = await this.#latest(window);
    if (latest) return this.#report(window, latest);
    // Cold: only now may the answer be "counting…"; a slow database is just slow (the adapters answer late).
    const first = this.#firstCounts(window).then((l) => this.#report(window, l));
    const ready = await Promise.race([first, sleep(waitMs, undefined, { ref: false })]);
    return ready ?? { counting: first };
  }

  /**
   * The stored latest snapshot, read at most once per MEMO_MS per window in this process (its age
   * grows with the time since the read), so the answer's cost does not grow with the answer rate either.
   */
  async #latest(window: StatusWindow): Promise<LatestSnapshot | undefined> {
    const memo = this.#read.get(window);
    const now = Date.now();
    const shared = memo && now - memo.at < Math.min(MEMO_MS, this.opts.refreshMs / 10) ? { ...memo.snap, ageMs: memo.snap.ageMs + (now - memo.at) } : undefined;
    if (shared && !(window === 'today' && this.#before(shared, windowStart('today', this.#now())))) return shared;
    const snap = await this.snapshots.latest(window);
    if (!snap || (window === 'today' && this.#before(snap, windowStart('today', this.#now())))) return undefined;
    this.#read.set(window, { snap, at: now });
    return snap;
  }

  /** True when `snap` was taken before `start` (by its age, so the database's clock and ours need not agree). */
  #before(snap: LatestSnapshot, start: Date | undefined): boolean {
    return start !== undefined && this.#now().getTime() - snap.ageMs < start.getTime();
  }

  #report(window: StatusWindow, latest: LatestSnapshot): StatusReport {
    const counts = ordered(latest.counts, this.opts.statuses);
    const total = counts.reduce((a, c) => a + c.count, 0);
    const done = counts.filter((c) => this.opts.doneStatuses.includes(c.status)).reduce((a, c) => a + c.count, 0);
    const failed = this.#failed.get(window);
    const stale = failed && failed.at > Date.now() - latest.ageMs ? { staleBecause: failed.reason } : {};
    return { window, counts, total, done, at: latest.at, ageMs: latest.ageMs, ...stale };
  }

  /** One refresh of `window` at a time in this process (the refresher makes it one across replicas). */
  refreshNow(window: StatusWindow): Promise<RefreshOutcome> {
    const running = this.#inFlight.get(window);
    if (running) return running;
    const now = this.#now();
    // After midnight, yesterday's "today" is never fresh: the day changed, not only the rows.
    const fresh = Math.min(this.opts.refreshMs * FRESH_SHARE, window === 'today' ? now.getTime() - (windowStart('today', now)?.getTime() ?? 0) : Infinity);
    const opts = { freshMs: fresh, timeLimitMs: this.opts.refreshTimeoutMs, retentionMs: this.opts.retentionMs, signal: this.#abort.signal };
    const p = this.refresher
      .refresh(window, windowStart(window, now), opts)
      .then(
        (r) => {
          if (r.kind === 'refreshed') this.#failed.delete(window);
          return r;
        },
        (err: unknown) => {
          this.#failed.set(window, { at: Date.now(), reason: err instanceof UserError ? err.message : 'the count failed (see the log)' });
          throw err;
        },
      )
      .finally(() => this.#inFlight.delete(window));
    this.#inFlight.set(window, p);
    return p;
  }

  async #tick(window: StatusWindow): Promise<void> {
    if (this.#stopped) return;
    // The next tick counts from this one's start, so a long count does not stretch the period.
    const started = Date.now();
    try {
      await this.refreshNow(window);
    } catch (err) {
      this.opts.log?.warn({ window, err: err instanceof Error ? err.message : String(err) }, 'status refresh failed');
    }
    if (this.#stopped) return;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      void this.#tick(window);
    }, Math.max(0, this.opts.refreshMs - (Date.now() - started)));
    t.unref();
    this.#timers.add(t);
  }

  /**
   * A cold start: no snapshot of this window anywhere yet. Count now, or wait for the replica that
   * is counting (its lock says so) until its snapshot appears; callers in this process share the wait.
   */
  #firstCounts(window: StatusWindow): Promise<LatestSnapshot> {
    const waiting = this.#first.get(window);
    if (waiting) return waiting;
    const p = (async () => {
      const until = Date.now() + this.opts.refreshTimeoutMs + 10_000;
      for (;;) {
        const r = await this.refreshNow(window);
        if (r.kind === 'refreshed') return { ...r.snapshot, ageMs: Math.round(r.snapshot.tookMs) }; // counted just now: as old as the count took
        const latest = await this.#latest(window);
        if (latest) return latest;
        if (Date.now() > until || this.#stopped) throw new UserError('timeout', 'the first count has not finished; try again shortly');
        await sleep(COLD_POLL_MS);
      }
    })().finally(() => this.#first.delete(window));
    this.#first.set(window, p);
    return p;
  }
}
