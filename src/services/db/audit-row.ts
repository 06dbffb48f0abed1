import type { RowDataPacket } from 'mysql2/promise';
import type { AuditDecision, AuditOutcome, AuditRecord, StoredAuditRecord } from '../../core/audit.js';

export interface AuditRow extends RowDataPacket {
  at: Date;
  invocation_id: string;
  principal_key: string;
  platform: string;
  room: string;
  command: string;
  args_json: string;
  decision: AuditDecision;
  outcome: AuditOutcome;
  job_id: string | null;
  duration_ms: number;
  error_code: string | null;
  role_source: string | null;
  requester_key: string | null;
}

/** Values cut to their column widths so one odd record cannot make a batch fail. */
export function toRow(r: AuditRecord): (string | number | Date | null)[] {
  return [
    r.at,
    r.invocationId.slice(0, 64),
    r.principalKey.slice(0, 128),
    r.platform.slice(0, 16),
    r.room.slice(0, 128),
    r.command.slice(0, 64),
    r.argsJson.slice(0, 16_000),
    r.decision,
    r.outcome,
    r.jobId?.slice(0, 64) ?? null,
    Math.max(0, Math.round(r.durationMs)),
    r.errorCode?.slice(0, 32) ?? null,
    r.roleSource?.slice(0, 64) ?? null,
    r.requesterKey?.slice(0, 128) ?? null,
  ];
}

export function fromRow(r: AuditRow): StoredAuditRecord {
  return {
    at: r.at,
    invocationId: r.invocation_id,
    principalKey: r.principal_key,
    platform: r.platform,
    room: r.room,
    command: r.command,
    argsJson: r.args_json,
    decision: r.decision,
    outcome: r.outcome,
    jobId: r.job_id ?? undefined,
    durationMs: r.duration_ms,
    errorCode: r.error_code ?? undefined,
    roleSource: r.role_source ?? undefined,
    requesterKey: r.requester_key ?? undefined,
  };
}
