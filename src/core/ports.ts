import type { AuditSink } from './audit.js';
import type { GrantRoles } from './grants/grant-roles.js';
import type { ThreadTransport } from './thread.js';

// The ports core's commands are typed on (docs/architecture.md, "Ports"): small interfaces that a
// command names as what it uses (`commandUsing<NotesPort & ClockPort>()`). The composition root
// (src/app/services.ts) builds one bag that has them all; core never sees that bag.

export const STATUS_WINDOWS = ['today', '24h', '7d', 'all'] as const;
export type StatusWindow = (typeof STATUS_WINDOWS)[number];

export interface StatusCount {
  readonly status: string;
  readonly count: number;
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

/** The status of the monitored application (/status); undefined without a `status` section. */
export interface StatusPort {
  readonly status?: StatusService;
}

export interface NotesPort {
  readonly notes: NotesRepository;
  /** False when notes live only in memory (no `mysql` section). */
  readonly notesDurable: boolean;
}

/** The clock: tests and the demo give their own. */
export interface ClockPort {
  readonly now: () => Date;
}

/** The audit trail: the dispatcher writes one record per invocation to it; /audit reads it back. */
export interface AuditPort {
  readonly audit: AuditSink;
}

/** Time-boxed grants (/access); set by the composition root once access is built. */
export interface GrantsPort {
  readonly grants?: GrantRoles;
}

/**
 * Thread transports by platform, so a thread can be opened or reopened on any platform this process
 * reaches (src/relay/transports.ts builds the one that also reaches other processes).
 */
export interface TransportSource {
  get(platform: string): ThreadTransport | undefined;
}
