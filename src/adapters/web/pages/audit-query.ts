import { z } from 'zod';
import type { AuditQuery, AuditSink, StoredAuditRecord } from '../../../core/audit.js';
import type { AuditFilter } from './views.js';

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

/** The store's query for a filter, without the page. */
export function auditQuery(f: AuditFilter): Omit<AuditQuery, 'offset' | 'limit'> {
  return {
    ...(f.user ? { user: f.user } : {}),
    ...(f.command ? { command: f.command } : {}),
    ...(f.outcome ? { outcome: f.outcome } : {}),
    ...(f.from ? { from: new Date(`${f.from}Z`) } : {}),
    ...(f.to ? { to: new Date(`${f.to}Z`) } : {}),
  };
}

/** One page of the rows that match, newest first, and whether an older page exists (in SQL with MySQL). */
export async function auditRows(sink: AuditSink, f: AuditFilter): Promise<{ rows: readonly StoredAuditRecord[]; more: boolean }> {
  return sink.search({ ...auditQuery(f), offset: (f.page - 1) * PAGE, limit: PAGE });
}
