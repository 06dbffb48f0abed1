import type { AuditSink, StoredAuditRecord } from '../../../core/audit.js';
import { auditQuery } from './audit-query.js';
import type { AuditFilter } from './views.js';

/** The most rows one export holds; a narrower filter gets the rest. */
export const CSV_MAX_ROWS = 10_000;
const BATCH = 500;

const COLUMNS = ['at', 'principal', 'platform', 'room', 'command', 'args', 'decision', 'outcome', 'error', 'job', 'duration_ms', 'role_source', 'requester'] as const;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled. A
 * value a spreadsheet would read as a formula (starting `=`, `+`, `-`, `@`, or a tab or carriage return
 * before one) gets a leading `'`, so opening the export never runs anything (docs/web.md, "Audit").
 */
export function csvCell(value: string | number | undefined): string {
  let v = value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvLine(values: readonly (string | number | undefined)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

function row(r: StoredAuditRecord): string {
  return csvLine([r.at.toISOString(), r.principalKey, r.platform, r.room, r.command, r.argsJson, r.decision, r.outcome, r.errorCode, r.jobId, r.durationMs, r.roleSource, r.requesterKey]);
}

/**
 * The rows that fit the filter, newest first, as CSV lines, read a batch at a time (in SQL with MySQL):
 * the header, then at most CSV_MAX_ROWS rows; `more` is true when rows were left out.
 */
export async function* auditCsv(sink: AuditSink, f: AuditFilter, cut: { more: boolean }): AsyncGenerator<string> {
  yield csvLine(COLUMNS);
  for (let offset = 0; offset < CSV_MAX_ROWS; offset += BATCH) {
    const { rows, more } = await sink.search({ ...auditQuery(f), offset, limit: Math.min(BATCH, CSV_MAX_ROWS - offset) });
    for (const r of rows) yield row(r);
    if (!more) return;
  }
  cut.more = true;
}
