import type { AuditSink } from '../core/audit.js';
import type { GrantRoles } from '../core/grants/grant-roles.js';
import type { BurnService } from './burns.js';
import type { DeployService } from './deploy/service.js';
import type { ScheduleService } from '../schedules/setup.js';
import type { ThreadRelay } from '../relay/entry.js';

export const STATUS_WINDOWS = ['today', '24h', '7d', 'all'] as const;
export type StatusWindow = (typeof STATUS_WINDOWS)[number];

export interface StatusCount {
  readonly status: string;
  readonly count: number;
}

/** Reads the monitored application's task table; one GROUP BY per call. */
export interface TasksRepository {
  /** False when no time column is configured: only the `all` window can be answered. */
  readonly hasTimeColumn: boolean;
  countByStatus(since: Date | undefined): Promise<StatusCount[]>;
}

export interface Note {
  readonly id: number;
  readonly authorKey: string;
  readonly authorName: string;
  readonly platform: string;
  readonly room: string;
  readonly body: string;
  readonly createdAt: Date;
}

export type NewNote = Omit<Note, 'id' | 'createdAt'> & {
  /** The invocation that adds it: a note is stored at most once per invocation, however often the write is retried. */
  readonly invocationId?: string;
};

export interface NotesRepository {
  /** Resolves once the note is stored (now or by an earlier try of the same invocation); rejects when it is not. */
  add(note: NewNote): Promise<Note>;
  /** Newest first. */
  list(limit: number): Promise<Note[]>;
  /** Notes containing every word (case-insensitive), newest first. */
  search(words: readonly string[], limit: number): Promise<Note[]>;
}

export interface StatusReport {
  readonly window: StatusWindow;
  readonly counts: readonly StatusCount[];
  readonly total: number;
  readonly done: number;
  readonly at: Date;
  /** Background counts: how old they were when this report was made ("as of 4 s ago"); absent on demand. */
  readonly ageMs?: number;
  /** Background counts: why the latest refresh this process tried failed, when it did after these counts. */
  readonly staleBecause?: string;
}

export interface StatusService {
  readonly hasTimeColumn: boolean;
  /** The counts for `window`; on a cold start this waits for the first refresh (docs/configuration.md#status). */
  report(window: StatusWindow): Promise<StatusReport>;
  /**
   * Background counts: the report, or on a cold start that has not ended within `waitMs`, the
   * promise of it (the answer says "counting…" and the counts follow).
   */
  answer?(window: StatusWindow, waitMs: number): Promise<StatusReport | { readonly counting: Promise<StatusReport> }>;
  /** Starts the background refreshes (none on demand); resolves at once. */
  start?(): void;
  /** Stops them and waits for a refresh under way. */
  stop?(): Promise<void>;
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

/**
 * Everything a command may use, built once in the composition root. A feature whose config section
 * is absent leaves its service undefined, and its commands say so.
 */
export interface Services {
  readonly status?: StatusService;
  /** Stored background counts for the web chart (issue 26); undefined on demand or without status. */
  readonly statusSnapshots?: StatusSnapshotRepository;
  readonly notes: NotesRepository;
  /** False when notes live only in memory (no `mysql` section). */
  readonly notesDurable: boolean;
  readonly audit: AuditSink;
  readonly now: () => Date;
  /** Burns, images, drives and eject; undefined without agents (or the demo's in-process agent). */
  readonly burns?: BurnService;
  /** Deploy targets, locks and jobs; undefined without `deploy.targets`. */
  readonly deploys?: DeployService;
  /** Schedules and alerts for /schedule; undefined without `schedules`, `alerts` or `jobFailures`. */
  readonly schedules?: ScheduleService;
  /** Thread updates between processes: /burn watch and /deploy watch follow a job through it. */
  readonly relay?: ThreadRelay;
  /** Why burns, images, drives and command deploys are off here (the demo without xorriso). */
  readonly devicesOff?: string;
  /** Time-boxed grants (/access); set by the composition root once access is built. */
  readonly grants?: GrantRoles;
}
