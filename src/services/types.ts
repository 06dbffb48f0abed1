import type { StatusCount, StatusWindow } from '../core/ports.js';

/** Reads the monitored application's task table; one GROUP BY per call. */
export interface TasksRepository {
  /** False when no time column is configured: only the `all` window can be answered. */
  readonly hasTimeColumn: boolean;
  countByStatus(since: Date | undefined): Promise<StatusCount[]>;
}

/** One refresh's counts, stored for the answer of every replica and for the web chart (issue 26). */
export interface StatusSnapshot {
  readonly window: StatusWindow;
  /** When the count began, by the database's clock. */
  readonly at: Date;
  readonly counts: readonly StatusCount[];
  readonly tookMs: number;
}

/** The latest snapshot and its age, measured by the same clock that stamped it. */
export interface LatestSnapshot extends StatusSnapshot {
  readonly ageMs: number;
}

/** Stored background counts of one app (`status.app`): MySQL, or memory in the demo and unit tests. */
export interface StatusSnapshotRepository {
  latest(window: StatusWindow): Promise<LatestSnapshot | undefined>;
  /** Snapshots of `window` taken at or after `since`, oldest first, at most `limit` (the newest ones). */
  series(window: StatusWindow, since: Date, limit?: number): Promise<StatusSnapshot[]>;
  /**
   * The newest snapshot of `window` in each `bucketMs` slice of time since `since`, oldest first: the web
   * chart's points over days, however often the counts were refreshed (an index range, never the tasks table).
   */
  sampled(window: StatusWindow, since: Date, bucketMs: number): Promise<StatusSnapshot[]>;
}

export type RefreshOutcome = { readonly kind: 'refreshed'; readonly snapshot: StatusSnapshot } | { readonly kind: 'busy' } | { readonly kind: 'fresh' };

export interface RefreshOptions {
  /** A snapshot younger than this (by the store's clock) counts as fresh: no new count runs. */
  readonly freshMs: number;
  /** The count's own time limit, enforced where the count runs. */
  readonly timeLimitMs: number;
  /** Snapshots older than this are removed after a refresh. */
  readonly retentionMs: number;
  /** Aborted when the process stops: a count under way is stopped where it runs. */
  readonly signal?: AbortSignal;
}

/**
 * One background refresh of one window, single-flight across every replica: `busy` when another
 * holds the window's lock, `fresh` when a snapshot younger than `freshMs` exists, else it counts
 * within `timeLimitMs` and stores the snapshot.
 */
export interface StatusRefresher {
  refresh(window: StatusWindow, since: Date | undefined, opts: RefreshOptions): Promise<RefreshOutcome>;
}

/** Stored background counts for the web chart (issue 26); undefined on demand or without status. */
export interface StatusSnapshotsPort {
  readonly statusSnapshots?: StatusSnapshotRepository;
}
