import type { StatusCount, StatusReport, StatusService, StatusWindow } from '../core/ports.js';
import type { Logger } from 'pino';
import type { TasksRepository } from './types.js';

export interface StatusOptions {
  /** Fixes the order of statuses and shows zeros for the missing ones. */
  readonly statuses?: readonly string[];
  /** Statuses that count as done for the percentage. */
  readonly doneStatuses: readonly string[];
  readonly cacheMs: number;
  readonly now?: () => Date;
  /** Where a count started ahead of the cache's end says it failed (its caller, if any, is told as well). */
  readonly log?: Pick<Logger, 'warn'>;
}

/** Start of a window relative to `now`; `today` is since local midnight. */
export function windowStart(window: StatusWindow, now: Date): Date | undefined {
  switch (window) {
    case 'all':
      return undefined;
    case '24h':
      return new Date(now.getTime() - 24 * 3600_000);
    case '7d':
      return new Date(now.getTime() - 7 * 24 * 3600_000);
    case 'today':
      return new Date(now.getFullYear(), now.getMonth(), now.getDate());
  }
}

/**
 * /status on demand (`status.refreshMs: 0`; status-background.ts otherwise): concurrent identical requests share one query (single-flight),
 * results may be cached for `cacheMs`, and counts are ordered by the configured statuses.
 *
 * A cached answer is counted again ahead of its end (docs/architecture.md, "The data flow of one command"): a request
 * in the last part of its `cacheMs` gets the cached counts at once and starts the next count in the background, so
 * under steady traffic no caller waits for the GROUP BY, and no answer is older than `cacheMs` after its count ended.
 */
export class TaskStatusService implements StatusService {
  readonly #inFlight = new Map<StatusWindow, Promise<StatusReport>>();
  readonly #cache = new Map<StatusWindow, Cached>();
  readonly #now: () => Date;

  constructor(
    private readonly repo: TasksRepository,
    private readonly opts: StatusOptions,
  ) {
    this.#now = opts.now ?? (() => new Date());
  }

  get hasTimeColumn(): boolean {
    return this.repo.hasTimeColumn;
  }

  report(window: StatusWindow): Promise<StatusReport> {
    const cached = this.#cache.get(window);
    const now = this.#now().getTime();
    if (cached && cached.until > now) {
      // One try ahead per cached answer: after a failure, the callers past its end count again (and hear why).
      if (now >= cached.until - refreshLead(this.opts.cacheMs, cached.queryMs) && !cached.aheadFailed) {
        this.#count(window).catch((err: unknown) => {
          cached.aheadFailed = true;
          this.opts.log?.warn({ err, window }, "the /status count started ahead of the cache's end failed; the next answer past its end counts again");
        });
      }
      return Promise.resolve(cached.report);
    }
    return this.#count(window);
  }

  /** The window's count: the one running, or a new one. */
  #count(window: StatusWindow): Promise<StatusReport> {
    const running = this.#inFlight.get(window);
    if (running) return running;
    const p = this.#query(window).finally(() => this.#inFlight.delete(window));
    this.#inFlight.set(window, p);
    return p;
  }

  async #query(window: StatusWindow): Promise<StatusReport> {
    const now = this.#now();
    const rows = await this.repo.countByStatus(windowStart(window, now));
    const counts = ordered(rows, this.opts.statuses);
    const total = counts.reduce((a, c) => a + c.count, 0);
    const done = counts.filter((c) => this.opts.doneStatuses.includes(c.status)).reduce((a, c) => a + c.count, 0);
    const report: StatusReport = { window, counts, total, done, at: now };
    const ended = this.#now().getTime();
    if (this.opts.cacheMs > 0) this.#cache.set(window, { report, until: ended + this.opts.cacheMs, queryMs: ended - now.getTime() });
    return report;
  }
}

interface Cached {
  readonly report: StatusReport;
  /** When the counts stop being served: `cacheMs` after their count ended. */
  readonly until: number;
  /** How long that count took. */
  readonly queryMs: number;
  /** The count started ahead of this answer's end failed: no other is started before it ends. */
  aheadFailed?: boolean;
}

/**
 * How long before a cached answer's end a request starts the next count: twice the last count's time, at least a
 * quarter of `cacheMs` and at most half of it, so the next count has usually ended before the cached one runs out.
 */
export function refreshLead(cacheMs: number, queryMs: number): number {
  return Math.min(cacheMs / 2, Math.max(cacheMs / 4, 2 * queryMs));
}

/** Counts in the configured order, zeros for the missing ones, others after, largest first. */
export function ordered(rows: readonly StatusCount[], statuses: readonly string[] | undefined): StatusCount[] {
  if (!statuses) return [...rows].sort((a, b) => b.count - a.count || a.status.localeCompare(b.status));
  const byStatus = new Map(rows.map((r) => [r.status, r.count]));
  const known = statuses.map((s) => ({ status: s, count: byStatus.get(s) ?? 0 }));
  const others = rows.filter((r) => !statuses.includes(r.status)).sort((a, b) => b.count - a.count);
  return [...known, ...others];
}
