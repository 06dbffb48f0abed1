import type { AuditSink } from '../core/audit.js';
import type { GrantRoles } from '../core/grants/grant-roles.js';
import type { BurnService } from './burns.js';
import type { DeployService } from './deploy/service.js';
import type { ScheduleService } from '../schedules/setup.js';
import type { ThreadRelay } from '../relay/entry.js';
import type { WebAuth } from './web/index.js';

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
}

export interface StatusService {
  readonly hasTimeColumn: boolean;
  report(window: StatusWindow): Promise<StatusReport>;
}

/**
 * Everything a command may use, built once in the composition root. A feature whose config section
 * is absent leaves its service undefined, and its commands say so.
 */
export interface Services {
  readonly status?: StatusService;
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
  /** The web view's sign-in links and sessions (docs/web.md); undefined without an enabled `web` section. */
  readonly web?: WebAuth;
}
