import type { Logger } from 'pino';
import type { ErrorCode } from './error-catalogue.js';

export type AuditDecision = 'allow' | 'deny' | 'invalid' | 'unknown';
/** `pending`: allowed, and held until the caller confirms (the confirmation is a record of its own). */
export type AuditOutcome = 'ok' | 'error' | 'refused' | 'pending';

/** One row of the audit trail: every invocation, allowed or not, becomes exactly one. */
export interface AuditRecord {
  readonly at: Date;
  readonly invocationId: string;
  readonly principalKey: string;
  readonly platform: string;
  readonly room: string;
  readonly command: string;
  readonly argsJson: string;
  readonly decision: AuditDecision;
  readonly outcome: AuditOutcome;
  readonly jobId?: string;
  readonly durationMs: number;
  /** A code of the catalogue (docs/errors.md), never anything else: it is `audit_log.error_code`. */
  readonly errorCode?: ErrorCode;
  /** Where the role that allowed the command came from: `config`, `slack-group:S…`, `discord-role:…`, `grant:12`. */
  readonly roleSource?: string;
  /** An approval: whose held request the approver (principalKey) let run (docs/access.md). */
  readonly requesterKey?: string;
}

/** A filtered page of the audit trail (the web view's audit page); every field is optional but the page. */
export interface AuditQuery {
  /** Part of the principal key. */
  readonly user?: string;
  /** A command path (`burn`) matches itself and its subcommands (`burn cancel`). */
  readonly command?: string;
  readonly outcome?: AuditOutcome;
  readonly from?: Date;
  readonly to?: Date;
  readonly offset: number;
  readonly limit: number;
}

/** True when a record fits the query's filters (the in-memory search, and what the SQL one must agree with). */
export function auditMatches(r: AuditRecord, q: AuditQuery): boolean {
  return (
    (!q.user || r.principalKey.includes(q.user)) &&
    (!q.command || r.command === q.command || r.command.startsWith(`${q.command} `)) &&
    (!q.outcome || r.outcome === q.outcome) &&
    (!q.from || r.at.getTime() >= q.from.getTime()) &&
    (!q.to || r.at.getTime() <= q.to.getTime())
  );
}

/**
 * A record as read back. A stored code is kept as it was: every code ever written is still in the
 * catalogue (codes are never renamed), but a row this version did not write is shown, not rewritten.
 */
export type StoredAuditRecord = Omit<AuditRecord, 'errorCode'> & { readonly errorCode?: string };

/**
 * Where audit records go. A sink that stores records where a crash cannot reach them (MySQL) returns
 * a promise from `write`: it resolves once the record is stored, or at once while the store is
 * unreachable (the record then waits in memory and is retried); it never rejects. The dispatcher
 * waits for it before the reply goes out, so a reply is never sent for an invocation whose row a
 * SIGKILL could still take away (docs/hosting.md, "What a SIGKILL loses"). Concurrent writes share
 * one INSERT. `flush` waits for everything written so far (clean shutdown).
 */
export interface AuditSink {
  /**
   * `changes`: the command changes something (its `sideEffects`) or the caller was refused; a sink
   * that waits only for those rows (`mysql.auditBeforeReply: changes`) reads it.
   */
  write(record: AuditRecord, changes?: boolean): void | Promise<void>;
  recent(limit: number): Promise<readonly StoredAuditRecord[]>;
  /** Newest first: one page of the records that fit, and whether more follow. */
  search(q: AuditQuery): Promise<{ rows: readonly StoredAuditRecord[]; more: boolean }>;
  flush(): Promise<void>;
}

/** Keeps records in memory (unit tests, the demo); bounded so a long-running console cannot grow forever. */
export class MemoryAuditSink implements AuditSink {
  readonly records: AuditRecord[] = [];
  constructor(private readonly max = 10_000) {}

  write(record: AuditRecord): void {
    this.records.push(record);
    if (this.records.length > this.max) this.records.shift();
  }

  async recent(limit: number): Promise<readonly AuditRecord[]> {
    return this.records.slice(-limit).reverse();
  }

  async search(q: AuditQuery): Promise<{ rows: readonly StoredAuditRecord[]; more: boolean }> {
    const all = this.records.filter((r) => auditMatches(r, q)).reverse();
    return { rows: all.slice(q.offset, q.offset + q.limit), more: all.length > q.offset + q.limit };
  }

  async flush(): Promise<void> {}
}

/** Without MySQL: each record is one structured log line, and the newest are kept for /audit. */
export class LogAuditSink extends MemoryAuditSink {
  constructor(private readonly log: Logger, max = 1000) {
    super(max);
  }

  override write(record: AuditRecord): void {
    super.write(record);
    this.log.info({ audit: record }, 'audit');
  }
}
