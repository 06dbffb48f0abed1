import type { RowDataPacket } from 'mysql2/promise';
import type { StatusCount, StatusWindow } from '../../core/ports.js';
import type { LatestSnapshot, StatusSnapshot, StatusSnapshotRepository } from '../types.js';
import { statement, type Db, type Runner } from './db.js';

const COUNTS_OF = `LEFT JOIN status_snapshot_counts c ON c.snapshot_id = s.id`;
// UTC_TIMESTAMP, not NOW: the pool reads DATETIME as UTC (src/services/db/pool.ts), whatever the server's zone.
const LATEST = statement(
  'snapshots.latest',
  `SELECT s.id, s.at, s.took_ms, TIMESTAMPDIFF(MICROSECOND, s.at, UTC_TIMESTAMP(6)) AS age_us, c.status, c.n
   FROM (SELECT id, at, took_ms FROM status_snapshots WHERE app = ? AND win = ? ORDER BY at DESC, id DESC LIMIT 1) s ${COUNTS_OF}`,
);
const SERIES = statement(
  'snapshots.series',
  `SELECT s.id, s.at, s.took_ms, c.status, c.n
   FROM (SELECT id, at, took_ms FROM status_snapshots WHERE app = ? AND win = ? AND at >= ? ORDER BY at DESC, id DESC LIMIT ?) s ${COUNTS_OF}
   ORDER BY s.at, s.id`,
);
// One snapshot per time slice, the newest of it: a range of the (app, win, at) index, however many refreshes it holds.
const SAMPLED = statement(
  'snapshots.sampled',
  `SELECT s.id, s.at, s.took_ms, c.status, c.n
   FROM (SELECT id, at, took_ms FROM (
           SELECT id, at, took_ms, ROW_NUMBER() OVER (PARTITION BY FLOOR(UNIX_TIMESTAMP(at) * 1000 / ?) ORDER BY at DESC, id DESC) AS nth
           FROM status_snapshots WHERE app = ? AND win = ? AND at >= ?) r
         WHERE nth = 1 ORDER BY at DESC LIMIT 1000) s ${COUNTS_OF}
   ORDER BY s.at, s.id`,
);
const INSERT = statement('snapshots.insert', 'INSERT INTO status_snapshots (app, win, at, took_ms) VALUES (?, ?, ?, ?)');
const INSERT_COUNT = statement('snapshots.insertCount', 'INSERT INTO status_snapshot_counts (snapshot_id, status, n) VALUES (?, ?, ?)');
const BEGIN = statement('snapshots.begin', 'START TRANSACTION');
const COMMIT = statement('snapshots.commit', 'COMMIT');
const ROLLBACK = statement('snapshots.rollback', 'ROLLBACK');
// A few hundred rows a time, so a long-unpruned table never holds a lock for long.
const OLD = statement('snapshots.old', 'SELECT id FROM status_snapshots WHERE app = ? AND at < ? ORDER BY at LIMIT 500');
const PRUNE_COUNTS = statement('snapshots.pruneCounts', 'DELETE FROM status_snapshot_counts WHERE snapshot_id >= ? AND snapshot_id <= ? AND snapshot_id IN (SELECT id FROM status_snapshots WHERE app = ? AND at < ?)');
const PRUNE = statement('snapshots.prune', 'DELETE FROM status_snapshots WHERE app = ? AND at < ? AND id <= ?');

interface SnapshotRow extends RowDataPacket {
  id: number;
  at: Date;
  took_ms: number;
  age_us?: number | string | null;
  status: string | null;
  n: number | string | null;
}

/** The longest status label stored; the column is VARCHAR(255). */
const MAX_STATUS = 255;

/**
 * Stored background counts of one app (`status.app`, default the table), one row per refresh and
 * one per status in it. The answer of every replica reads `latest`; the web chart reads `series`.
 */
export class MysqlStatusSnapshots implements StatusSnapshotRepository {
  constructor(
    private readonly db: Db,
    readonly app: string,
  ) {}

  async latest(window: StatusWindow): Promise<LatestSnapshot | undefined> {
    const rows = await this.db.rows<SnapshotRow>(LATEST, [this.app, window]);
    const [snap] = group(window, rows);
    const first = rows[0];
    if (!snap || !first) return undefined;
    return { ...snap, ageMs: Math.max(0, Math.round(Number(first.age_us ?? 0) / 1000)) };
  }

  async series(window: StatusWindow, since: Date, limit = 10_000): Promise<StatusSnapshot[]> {
    return group(window, await this.db.rows<SnapshotRow>(SERIES, [this.app, window, since, String(limit)]));
  }

  async sampled(window: StatusWindow, since: Date, bucketMs: number): Promise<StatusSnapshot[]> {
    return group(window, await this.db.rows<SnapshotRow>(SAMPLED, [Math.max(1000, Math.round(bucketMs)), this.app, window, since]));
  }

  /** Stores a snapshot whole or not at all (one transaction on `run`, a session). */
  async write(run: Runner, s: StatusSnapshot): Promise<void> {
    await run.exec(BEGIN);
    try {
      const { insertId } = await run.exec(INSERT, [this.app, s.window, s.at, Math.max(0, Math.round(s.tookMs))]);
      for (const c of merged(s.counts)) await run.exec(INSERT_COUNT, [insertId, c.status, c.count]);
      await run.exec(COMMIT);
    } catch (err) {
      await run.exec(ROLLBACK).catch(() => undefined);
      throw err;
    }
  }

  /** Removes this app's snapshots older than `before`, a batch at a time; resolves with how many went. */
  async prune(run: Runner, before: Date): Promise<number> {
    const ids = (await run.rows<RowDataPacket>(OLD, [this.app, before])).map((r) => Number(r.id));
    if (ids.length === 0) return 0;
    const lo = Math.min(...ids);
    const hi = Math.max(...ids);
    await run.exec(PRUNE_COUNTS, [lo, hi, this.app, before]);
    return (await run.exec(PRUNE, [this.app, before, hi])).affectedRows;
  }
}

/** Labels longer than the column are cut; two that become one are added together. */
function merged(counts: readonly StatusCount[]): StatusCount[] {
  const m = new Map<string, number>();
  for (const c of counts) {
    const key = c.status.slice(0, MAX_STATUS);
    m.set(key, (m.get(key) ?? 0) + c.count);
  }
  return [...m].map(([status, count]) => ({ status, count }));
}

function group(window: StatusWindow, rows: readonly SnapshotRow[]): StatusSnapshot[] {
  const byId = new Map<number, { at: Date; tookMs: number; counts: StatusCount[] }>();
  for (const r of rows) {
    const id = Number(r.id);
    const s = byId.get(id) ?? { at: r.at, tookMs: Number(r.took_ms), counts: [] };
    byId.set(id, s);
    if (r.status !== null && r.n !== null) s.counts.push({ status: r.status, count: Number(r.n) });
  }
  return [...byId.values()].map((s) => ({ window, ...s }));
}
