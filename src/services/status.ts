import type { StatusCount, StatusReport, StatusService, StatusWindow } from '../core/ports.js';
import type { TasksRepository } from './types.js';

export interface StatusOptions {
  /** Fixes the order of statuses and shows zeros for the missing ones. */
  readonly statuses?: readonly string[];
  /** Statuses that count as done for the percentage. */
  readonly doneStatuses: readonly string[];
  readonly cacheMs: number;
  readonly now?: () => Date;
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
 */
export class TaskStatusService implements StatusService {
  readonly #inFlight = new Map<StatusWindow, Promise<StatusReport>>();
  readonly #cache = new Map<StatusWindow, { report: StatusReport; until: number }>();
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
    if (cached && cached.until > Date.now()) return Promise.resolve(cached.report);
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
    if (this.opts.cacheMs > 0) this.#cache.set(window, { report, until: Date.now() + this.opts.cacheMs });
    return report;
  }
}

/** Counts in the configured order, zeros for the missing ones, others after, largest first. */
export function ordered(rows: readonly StatusCount[], statuses: readonly string[] | undefined): StatusCount[] {
  if (!statuses) return [...rows].sort((a, b) => b.count - a.count || a.status.localeCompare(b.status));
  const byStatus = new Map(rows.map((r) => [r.status, r.count]));
  const known = statuses.map((s) => ({ status: s, count: byStatus.get(s) ?? 0 }));
  const others = rows.filter((r) => !statuses.includes(r.status)).sort((a, b) => b.count - a.count);
  return [...known, ...others];
}
