import type { RowDataPacket } from 'mysql2/promise';
import { escapeId } from 'mysql2';
import type { StatusCount } from '../../core/ports.js';
import type { TasksRepository } from '../types.js';
import { statement, type Db, type Statement } from './db.js';

export interface TasksTable {
  /** Validated at config load as `table` or `schema.table`. */
  readonly table: string;
  readonly statusColumn: string;
  readonly timeColumn?: string;
}

type CountRow = RowDataPacket;

/**
 * The monitored application's table, read-only. The identifiers come from validated config and
 * are escaped with escapeId (dots split schema from table); the only value, the window start, is bound.
 */
export class MysqlTasksRepository implements TasksRepository {
  readonly hasTimeColumn: boolean;
  readonly #all: Statement;
  readonly #since: Statement | undefined;

  constructor(
    private readonly db: Db,
    t: TasksTable,
  ) {
    const table = escapeId(t.table); // splits schema.table and quotes each part
    const status = escapeId(t.statusColumn);
    this.#all = statement('tasks.countByStatus', `SELECT ${status} AS status, COUNT(*) AS n FROM ${table} GROUP BY ${status}`);
    this.hasTimeColumn = t.timeColumn !== undefined;
    this.#since = t.timeColumn
      ? statement(
          'tasks.countByStatusSince',
          `SELECT ${status} AS status, COUNT(*) AS n FROM ${table} WHERE ${escapeId(t.timeColumn)} >= ? GROUP BY ${status}`,
        )
      : undefined;
  }

  async countByStatus(since: Date | undefined): Promise<StatusCount[]> {
    const st = this.countStatement(since);
    return countRows(await this.db.rows<CountRow>(st, since ? [since] : []));
  }

  /** The GROUP BY for a window; its one parameter, when it has one, is the window's start. */
  countStatement(since: Date | undefined): Statement {
    if (since && !this.#since) throw new Error('tasks: a time window needs status.timeColumn');
    return since && this.#since ? this.#since : this.#all;
  }
}

/** Rows of the GROUP BY as counts. */
export function countRows(rows: readonly RowDataPacket[]): StatusCount[] {
  return rows.map((r) => ({ status: label(r.status), count: Number(r.n) }));
}

/** NULL and non-string statuses still need a printable name. */
function label(v: unknown): string {
  if (v === null || v === undefined) return '(none)';
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return String(v);
}
