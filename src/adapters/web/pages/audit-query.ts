import { z } from 'zod';
import type { AuditRecord, AuditSink } from '../../../core/audit.js';
import type { AuditFilter } from './views.js';

/** How many of the newest rows the filters look through (docs/web.md, "Audit"). */
export const AUDIT_SCAN = 1000;
const PAGE = 50;

const text = z.string().max(200).optional().transform((v) => (v ? v : undefined));
const stamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$|^$/)
  .optional()
  .transform((v) => (v ? v : undefined));
const filterSchema = z.strictObject({
  user: text,
  command: text,
  outcome: z.enum(['', 'ok', 'error', 'refused', 'pending']).optional().transform((v) => (v ? v : undefined)),
  from: stamp,
  to: stamp,
  page: z.coerce.number().int().min(1).max(1000).default(1),
});

/** The filter from a query string; undefined for one that does not fit (a 400). */
export function auditFilter(params: URLSearchParams): AuditFilter | undefined {
  const r = filterSchema.safeParse(Object.fromEntries(params));
  return r.success ? r.data : undefined;
}

/** One page of the rows that match, newest first, and whether an older page exists. */
export async function auditRows(sink: AuditSink, f: AuditFilter): Promise<{ rows: AuditRecord[]; more: boolean }> {
  const from = f.from ? Date.parse(`${f.from}Z`) : undefined;
  const to = f.to ? Date.parse(`${f.to}Z`) : undefined;
  const match = (r: AuditRecord) =>
    (!f.user || r.principalKey.includes(f.user)) &&
    (!f.command || r.command === f.command || r.command.startsWith(`${f.command} `)) &&
    (!f.outcome || r.outcome === f.outcome) &&
    (from === undefined || r.at.getTime() >= from) &&
    (to === undefined || r.at.getTime() <= to);
  const all = (await sink.recent(AUDIT_SCAN)).filter(match);
  const start = (f.page - 1) * PAGE;
  return { rows: all.slice(start, start + PAGE), more: all.length > start + PAGE };
}
