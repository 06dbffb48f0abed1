import type { RowDataPacket } from 'mysql2/promise';
import { statement, type Db } from './db.js';

export interface StatusIndexNeed {
  /** The columns, in order, an index of the status table should start with. */
  readonly columns: readonly string[];
  /** An index that starts with them, when the table has one. */
  readonly has?: string;
  /** What to run when it has none (identifiers from validated config, quoted). */
  readonly create: string;
}

const INDEXES = statement(
  'doctor.statusIndexes',
  `SELECT INDEX_NAME AS name, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX SEPARATOR ',') AS cols
   FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? GROUP BY INDEX_NAME`,
);

/**
 * The index a refresh needs so that its cost is a range (the windows) or an index-only scan (all)
 * rather than the whole table: (timeColumn, statusColumn), or (statusColumn) without a time column.
 */
export async function statusIndex(db: Db, status: { table: string; statusColumn: string; timeColumn?: string }): Promise<StatusIndexNeed> {
  const [schema, table] = status.table.includes('.') ? status.table.split('.', 2) : [null, status.table];
  const columns = status.timeColumn ? [status.timeColumn, status.statusColumn] : [status.statusColumn];
  const rows = await db.rows<RowDataPacket>(INDEXES, [schema ?? null, table ?? '']);
  const lower = columns.map((c) => c.toLowerCase());
  const has = rows.find((r) => {
    const cols = String(r.cols ?? '').toLowerCase().split(',');
    return lower.every((c, i) => cols[i] === c);
  });
  const q = (id: string) => `\`${id}\``;
  const name = `opsline_status_${columns.join('_')}`.slice(0, 64);
  const create = `CREATE INDEX ${q(name)} ON ${status.table.split('.').map(q).join('.')} (${columns.map(q).join(', ')})`;
  return { columns, create, ...(has ? { has: String(has.name) } : {}) };
}
