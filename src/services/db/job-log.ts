import type { RowDataPacket } from 'mysql2/promise';
import type { JobEnd, JobLine, JobLog, JobLogKind, JobOutcome, JobRecord, JobStart } from '../job-log/types.js';
import { cut, JOB_OUTCOMES } from '../job-log/types.js';
import { statement, type Db } from './db.js';

// Insert-only (docs/security.md): the first start stays (a worker that re-attaches is not the job's
// start), the first end stays, and a line number already stored keeps its line (a retried batch).
const BEGIN = statement('jobLog.begin', 'INSERT IGNORE INTO job_history (job_id, kind, summary, requester, requester_key, command, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
const NEXT = statement('jobLog.next', 'SELECT COALESCE(MAX(n), 0) + 1 AS next FROM job_output WHERE job_id = ?');
const APPEND = statement('jobLog.append', 'INSERT IGNORE INTO job_output (job_id, n, line) VALUES ?');
const END = statement('jobLog.end', 'INSERT IGNORE INTO job_ends (job_id, ended_at, ok, outcome, result) VALUES (?, ?, ?, ?, ?)');
const COLUMNS = 'h.job_id, h.kind, h.summary, h.requester, h.requester_key, h.command, h.started_at, e.ended_at, e.ok, e.outcome, e.result';
const GET = statement('jobLog.get', `SELECT ${COLUMNS} FROM job_history h LEFT JOIN job_ends e ON e.job_id = h.job_id WHERE h.job_id = ?`);
const LINES = statement('jobLog.lines', 'SELECT n, line FROM job_output WHERE job_id = ? AND n > ? ORDER BY n LIMIT ?');
const HISTORY = statement('jobLog.history', `SELECT ${COLUMNS} FROM job_ends e JOIN job_history h ON h.job_id = e.job_id ORDER BY e.ended_at DESC LIMIT ?`);
// A hundred jobs a time, so pruning a long-unpruned table never holds a lock for long.
const OLD = statement('jobLog.old', 'SELECT job_id FROM job_ends WHERE ended_at < ? ORDER BY ended_at LIMIT 100');
const PRUNE_LINES = statement('jobLog.pruneLines', 'DELETE FROM job_output WHERE job_id = ?');
const PRUNE_START = statement('jobLog.pruneStart', 'DELETE FROM job_history WHERE job_id = ?');
const PRUNE_END = statement('jobLog.pruneEnd', 'DELETE FROM job_ends WHERE job_id = ? AND ended_at < ?');

interface JobRow extends RowDataPacket {
  job_id: string;
  kind: JobLogKind;
  summary: string;
  requester: string;
  requester_key: string;
  command: string | null;
  started_at: Date;
  ended_at: Date | null;
  ok: number | null;
  outcome: string | null;
  result: string | null;
}

/** Job history and output in MySQL (tables `job_history`, `job_ends`, `job_output`; migration 6). */
export class MysqlJobLog implements JobLog {
  constructor(private readonly db: Db) {}

  async begin(job: JobStart): Promise<number> {
    await this.db.exec(BEGIN, [job.id, job.kind, cut(job.summary), job.requester.slice(0, 200), job.requesterKey.slice(0, 128), job.command ?? null, job.startedAt]);
    const [row] = await this.db.rows<RowDataPacket>(NEXT, [job.id]);
    return Number(row?.next ?? 1);
  }

  async append(id: string, lines: readonly JobLine[]): Promise<void> {
    if (lines.length === 0) return;
    await this.db.batch(APPEND, [lines.map((l) => [id, l.n, cut(l.text)])]);
  }

  async end(id: string, end: JobEnd): Promise<void> {
    await this.db.exec(END, [id, end.endedAt, end.outcome === 'ok' ? 1 : 0, end.outcome, cut(end.result)]);
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const [row] = await this.db.rows<JobRow>(GET, [id]);
    return row && toRecord(row);
  }

  async lines(id: string, after: number, limit: number): Promise<JobLine[]> {
    const rows = await this.db.rows<RowDataPacket>(LINES, [id, after, String(limit)]);
    return rows.map((r) => ({ n: Number(r.n), text: String(r.line) }));
  }

  async history(limit: number): Promise<JobRecord[]> {
    return (await this.db.rows<JobRow>(HISTORY, [String(limit)])).map(toRecord);
  }

  async prune(before: Date): Promise<number> {
    let gone = 0;
    for (;;) {
      const ids = (await this.db.rows<RowDataPacket>(OLD, [before])).map((r) => String(r.job_id));
      if (ids.length === 0) return gone;
      // Lines first, the end last: a prune cut short is found again by its end and finished next time.
      for (const id of ids) {
        await this.db.exec(PRUNE_LINES, [id]);
        await this.db.exec(PRUNE_START, [id]);
        gone += (await this.db.exec(PRUNE_END, [id, before])).affectedRows;
      }
    }
  }
}

function toRecord(r: JobRow): JobRecord {
  return {
    id: r.job_id,
    kind: r.kind,
    summary: r.summary,
    requester: r.requester,
    requesterKey: r.requester_key,
    ...(r.command !== null ? { command: r.command } : {}),
    startedAt: r.started_at,
    ...(r.ended_at ? { endedAt: r.ended_at } : {}),
    ...(r.ok !== null ? { ok: Number(r.ok) === 1, outcome: outcomeOf(r.outcome, Number(r.ok) === 1) } : {}),
    ...(r.result !== null ? { result: r.result } : {}),
  };
}

/** An end's outcome; rows written before migration 7 have only `ok`. */
function outcomeOf(stored: string | null, ok: boolean): JobOutcome {
  const known = JOB_OUTCOMES.find((o) => o === stored);
  return known ?? (ok ? 'ok' : 'failed');
}
