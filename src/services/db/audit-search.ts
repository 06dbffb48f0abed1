import type { AuditQuery, StoredAuditRecord } from '../../core/audit.js';
import { fromRow, type AuditRow } from './audit-row.js';
import { statement, type Db } from './db.js';

// Every filter is a bound parameter; an absent one is NULL and matches everything. The user filter is a
// LIKE with its own wildcards escaped, so `%` or `_` in it are plain characters (docs/web.md, "Audit").
const SEARCH = statement(
  'audit.search',
  `SELECT at, invocation_id, principal_key, platform, room, command, args_json, decision, outcome, job_id, duration_ms, error_code, role_source, requester_key
   FROM audit_log
   WHERE (? IS NULL OR principal_key LIKE ?)
     AND (? IS NULL OR command = ? OR command LIKE ?)
     AND (? IS NULL OR outcome = ?)
     AND (? IS NULL OR at >= ?)
     AND (? IS NULL OR at <= ?)
   ORDER BY id DESC LIMIT ? OFFSET ?`,
);

const like = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** One page of the audit trail that fits `q`, newest first; one row more than the page tells whether more follow. */
export async function searchAudit(db: Db, q: AuditQuery): Promise<{ rows: StoredAuditRecord[]; more: boolean }> {
  const user = q.user ? `%${like(q.user)}%` : null;
  const command = q.command ?? null;
  const sub = q.command ? `${like(q.command)} %` : null;
  const outcome = q.outcome ?? null;
  const from = q.from ?? null;
  const to = q.to ?? null;
  const rows = await db.rows<AuditRow>(SEARCH, [user, user, command, command, sub, outcome, outcome, from, from, to, to, String(q.limit + 1), String(q.offset)]);
  return { rows: rows.slice(0, q.limit).map(fromRow), more: rows.length > q.limit };
}
