import type { Logger } from 'pino';
import type { RowDataPacket } from 'mysql2/promise';
import type { AuditQuery, AuditRecord, AuditSink, StoredAuditRecord } from '../../core/audit.js';
import { searchAudit } from './audit-search.js';
import { UserError } from '../../core/errors.js';
import { fromRow, toRow, type AuditRow } from './audit-row.js';
import { neverSent, statement, type Db } from './db.js';
import { errorCode, isConnectionError } from './errors.js';

const INSERT = statement(
  'audit.insertBatch',
  `INSERT INTO audit_log (at, invocation_id, principal_key, platform, room, command, args_json, decision, outcome, job_id, duration_ms, error_code, role_source, requester_key)
   VALUES ?`,
);
// Client-side binding expands the one array parameter into an escaped IN list (Db.select).
const WRITTEN = statement('audit.written', 'SELECT invocation_id FROM audit_log WHERE invocation_id IN (?)');
const RECENT = statement(
  'audit.recent',
  `SELECT at, invocation_id, principal_key, platform, room, command, args_json, decision, outcome, job_id, duration_ms, error_code, role_source, requester_key
   FROM audit_log ORDER BY id DESC LIMIT ?`,
);

interface WrittenRow extends RowDataPacket {
  invocation_id: string;
}

export interface AuditSinkOptions {
  /**
   * How long a record may wait for companions before its batch is written, when `write` does not
   * wait for it (`durable: false`); a durable write goes out at once, sharing the INSERT under way's successor.
   */
  readonly flushMs?: number;
  /**
   * Which writes resolve only once their record is stored: all (true, the default here), none (false:
   * every write only queues), or `changes`: those of commands that change something and of refusals
   * (`mysql.auditBeforeReply`, docs/hosting.md "What a SIGKILL loses").
   */
  readonly durable?: boolean | 'changes';
  readonly batchSize?: number;
  /** Records kept while MySQL is down; beyond this the oldest go to the log instead. */
  readonly maxBuffer?: number;
}

/**
 * The audit trail in `audit_log`. `write` resolves once its record is stored, so the dispatcher
 * sends no reply whose row a SIGKILL could take away (docs/hosting.md, "What a SIGKILL loses"). It
 * costs one INSERT's round trip per reply, shared: records written while an INSERT is under way go
 * together in the next one (a group commit, at most `batchSize` rows). While MySQL is unreachable
 * `write` resolves at once and the record waits in memory (at most `maxBuffer`); batches are
 * retried, and `flush` (clean shutdown) writes what is left or, if MySQL stays down, puts it in the
 * structured log so nothing is lost.
 */
export class MysqlAuditSink implements AuditSink {
  #buffer: AuditRecord[] = [];
  /** A batch whose INSERT was sent but not answered: it may be stored, so it is checked before it is sent again. */
  #unsure: AuditRecord[] = [];
  #writing: Promise<boolean> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #soon = false;
  #failures = 0;
  /** The callers waiting for their record to be stored (durable writes). */
  readonly #waiting = new Map<AuditRecord, () => void>();
  readonly #durable: boolean | 'changes';
  readonly #flushMs: number;
  readonly #batchSize: number;
  readonly #maxBuffer: number;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    opts: AuditSinkOptions = {},
  ) {
    this.#flushMs = opts.flushMs ?? 200;
    this.#durable = opts.durable ?? true;
    this.#batchSize = opts.batchSize ?? 100;
    this.#maxBuffer = opts.maxBuffer ?? 10_000;
  }

  /** Records not yet in MySQL. */
  get pending(): number {
    return this.#buffer.length + this.#unsure.length;
  }

  write(record: AuditRecord, changes = true): Promise<void> | undefined {
    this.#buffer.push(record);
    if (this.#buffer.length > this.#maxBuffer) this.#spill(this.#buffer.splice(0, this.#buffer.length - this.#maxBuffer), 'audit buffer full');
    if (this.#failures > 0) return void this.#schedule(this.#flushMs);
    if (this.#durable === false || (this.#durable === 'changes' && !changes)) {
      if (this.#buffer.length >= this.#batchSize) this.#drainSoon();
      else this.#schedule(this.#flushMs);
      return undefined;
    }
    const stored = new Promise<void>((resolve) => this.#waiting.set(record, resolve));
    this.#drainSoon();
    return stored;
  }

  /** Lets the callers of these records go on: stored, spilled to the log, or waiting out an outage in memory. */
  #release(records: Iterable<AuditRecord>): void {
    for (const r of records) {
      this.#waiting.get(r)?.();
      this.#waiting.delete(r);
    }
  }

  /**
   * A full batch goes out on the next turn of the event loop, not inside the write: building the
   * INSERT is work, and answers released together (callers sharing one /status query) would
   * otherwise wait behind it before the next of them could even ask.
   */
  #drainSoon(): void {
    if (this.#soon) return;
    this.#soon = true;
    setImmediate(() => {
      this.#soon = false;
      void this.#drain();
    });
  }

  async recent(limit: number): Promise<readonly StoredAuditRecord[]> {
    // Queued rows go first so /audit shows everything up to now; if that fails, reading would too.
    if (!(await this.#drain())) throw new UserError('unavailable', 'database unavailable (the audit trail cannot be read now)');
    return (await this.db.rows<AuditRow>(RECENT, [String(limit)])).map(fromRow);
  }

  async search(q: AuditQuery): Promise<{ rows: readonly StoredAuditRecord[]; more: boolean }> {
    if (!(await this.#drain())) throw new UserError('unavailable', 'database unavailable (the audit trail cannot be read now)');
    return searchAudit(this.db, q);
  }

  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (let attempt = 1; this.pending > 0 || this.#writing; attempt++) {
      if (await this.#drain()) continue;
      if (attempt >= 3) {
        this.#spill(this.#unsure.splice(0), 'audit maybe written to MySQL (sent, no answer) at shutdown');
        this.#spill(this.#buffer.splice(0), 'audit not written to MySQL at shutdown');
      }
      else await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }

  #schedule(ms: number): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#drain();
    }, ms);
    this.#timer.unref();
  }

  /** One writer at a time; resolves true when the buffer was emptied. */
  #drain(): Promise<boolean> {
    this.#writing ??= this.#loop().finally(() => {
      this.#writing = undefined;
      // A record written after the loop's last look but before this: its caller is waiting.
      if (this.#waiting.size > 0 && this.#failures === 0) this.#drainSoon();
    });
    return this.#writing;
  }

  async #loop(): Promise<boolean> {
    while (this.#unsure.length > 0 || this.#buffer.length > 0) {
      let batch: AuditRecord[] = [];
      try {
        if (this.#unsure.length > 0) await this.#dropWritten();
        batch = this.#buffer.splice(0, this.#batchSize);
        if (batch.length > 0) await this.db.batch(INSERT, [batch.map(toRow)]);
        this.#failures = 0;
        this.#release(batch);
      } catch (err) {
        if (!isConnectionError(err) && !isUnavailable(err)) {
          // A batch the server rejects would block the trail forever: log it instead.
          this.#spill(batch, 'audit batch rejected by MySQL');
          this.#release(batch);
          continue;
        }
        // MySQL is unreachable: no caller waits for it; their records stay queued and are retried.
        this.#release([...this.#waiting.keys()]);
        // Sent without an answer, the INSERT may have run (one statement: all rows or none), so a plain retry could write them twice.
        if (neverSent(err) || isServerRefusal(err)) this.#buffer.unshift(...batch);
        else this.#unsure.push(...batch);
        this.#failures++;
        this.#schedule(Math.min(this.#flushMs * 2 ** this.#failures, 30_000));
        return false;
      }
    }
    return true;
  }

  /** Puts back in the queue the unsure records MySQL does not have; the others are stored already. */
  async #dropWritten(): Promise<void> {
    const ids = [...new Set(this.#unsure.map((r) => r.invocationId.slice(0, 64)))];
    const stored = new Set((await this.db.select<WrittenRow>(WRITTEN, [ids])).map((r) => r.invocation_id));
    this.#buffer.unshift(...this.#unsure.splice(0).filter((r) => !stored.has(r.invocationId.slice(0, 64))));
  }

  #spill(records: readonly AuditRecord[], why: string): void {
    for (const audit of records) this.log.warn({ audit }, why);
    this.#release(records);
  }
}

/** MySQL answered with a refusal (an `ER_` code): the statement did not run. */
function isServerRefusal(err: unknown): boolean {
  return Boolean(errorCode((err as { cause?: unknown }).cause ?? err)?.startsWith('ER_'));
}

function isUnavailable(err: unknown): boolean {
  return (err as { code?: unknown }).code === 'unavailable';
}
