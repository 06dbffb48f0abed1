import type { RowDataPacket } from 'mysql2/promise';
import { UserError } from '../../core/errors.js';
import type { StatusWindow } from '../../core/ports.js';
import type { RefreshOptions, RefreshOutcome, StatusRefresher } from '../types.js';
import { statement, type Db, type Runner, type Statement } from './db.js';
import type { MysqlStatusSnapshots } from './status-snapshots.js';
import { countRows, type MysqlTasksRepository } from './tasks.js';

export type ServerFlavour = 'mariadb' | 'mysql';

const VERSION = statement('status.version', 'SELECT VERSION() AS version');
// Lock names are server-wide and at most 64 characters: the database, app and window, hashed.
const LOCK_NAME = "CONCAT('opsline_status.', LEFT(SHA2(CONCAT(DATABASE(), '/', ?, '/', ?), 256), 40))";
const LOCK = statement('status.lock', `SELECT GET_LOCK(${LOCK_NAME}, 0) AS got`);
const UNLOCK = statement('status.unlock', `SELECT RELEASE_LOCK(${LOCK_NAME}) AS released`);
const LAST = statement(
  'status.last',
  `SELECT UTC_TIMESTAMP(3) AS now, TIMESTAMPDIFF(MICROSECOND, MAX(at), UTC_TIMESTAMP(6)) AS age_us FROM status_snapshots WHERE app = ? AND win = ?`,
);

/** MariaDB's max_statement_time and MySQL's MAX_EXECUTION_TIME, when a refresh passes its limit. */
const TIMED_OUT = new Set([1969, 3024]);

/** The GROUP BY with a time limit the server itself enforces, so an abandoned count never runs on. */
export function limitedCount(flavour: ServerFlavour, count: Statement, limitMs: number): Statement {
  const ms = Math.max(1, Math.round(limitMs));
  if (flavour === 'mariadb') return statement(`${count.name}.limited`, `SET STATEMENT max_statement_time=${(ms / 1000).toFixed(3)} FOR ${count.sql}`);
  return statement(`${count.name}.limited`, count.sql.replace(/^SELECT /, `SELECT /*+ MAX_EXECUTION_TIME(${ms}) */ `));
}

/** From `SELECT VERSION()`: MariaDB says so in its version string; anything else is MySQL. */
export function flavourOf(version: string): ServerFlavour {
  return /mariadb/i.test(version) ? 'mariadb' : 'mysql';
}

/**
 * A background refresh on MySQL. One session does it all: GET_LOCK(name, 0) (a MySQL named lock,
 * not a Redis one: the status feature needs nothing but MySQL, and the lock belongs to the session
 * that runs the count, so a replica that dies or loses its connection frees it at once, with no
 * expiry to guess against a long count; docs/configuration.md#status), the freshness check, the
 * time-limited GROUP BY, the snapshot and the pruning, then RELEASE_LOCK.
 */
export class MysqlStatusRefresher implements StatusRefresher {
  #flavour: Promise<ServerFlavour> | undefined;

  constructor(
    private readonly db: Db,
    private readonly tasks: MysqlTasksRepository,
    private readonly snapshots: MysqlStatusSnapshots,
  ) {}

  /** Asked once per process; a failed answer is asked again next time. */
  flavour(): Promise<ServerFlavour> {
    this.#flavour ??= this.db.rows<RowDataPacket>(VERSION).then(
      ([r]) => flavourOf(String(r?.version ?? '')),
      (err: unknown) => {
        this.#flavour = undefined;
        throw err;
      },
    );
    return this.#flavour;
  }

  async refresh(window: StatusWindow, since: Date | undefined, opts: RefreshOptions): Promise<RefreshOutcome> {
    const flavour = await this.flavour();
    const count = limitedCount(flavour, this.tasks.countStatement(since), opts.timeLimitMs);
    const key = [this.snapshots.app, window] as const;
    // The client waits a little longer than the server's limit: the server's own error is the normal end.
    return this.db.session(async (s) => {
      const [lock] = await s.rows<RowDataPacket>(LOCK, [...key]);
      if (Number(lock?.got) !== 1) return { kind: 'busy' };
      try {
        const [last] = await s.rows<RowDataPacket>(LAST, [...key]);
        const age = last?.age_us === null || last?.age_us === undefined ? undefined : Number(last.age_us) / 1000;
        if (age !== undefined && age < opts.freshMs) return { kind: 'fresh' };
        const at = last?.now instanceof Date ? last.now : new Date();
        const started = performance.now();
        const counts = await this.#count(s, count, since, opts.timeLimitMs);
        const snapshot = { window, at, counts, tookMs: performance.now() - started };
        await this.snapshots.write(s, snapshot);
        await this.snapshots.prune(s, new Date(at.getTime() - opts.retentionMs));
        return { kind: 'refreshed', snapshot };
      } finally {
        await s.rows(UNLOCK, [...key]).catch(() => undefined);
      }
    }, { signal: opts.signal });
  }

  async #count(s: Runner, count: Statement, since: Date | undefined, limitMs: number) {
    try {
      return countRows(await s.rows(count, since ? [since] : [], { timeoutMs: limitMs + CLIENT_MARGIN_MS }));
    } catch (err) {
      if (TIMED_OUT.has(Number((err as { errno?: unknown }).errno)))
        throw new UserError('timeout', `the count took longer than ${formatMs(limitMs)} (status.refreshTimeoutMs); the server stopped it`, { cause: err });
      throw err;
    }
  }
}

/** How much longer than the server's limit the client waits before it kills the count itself. */
const CLIENT_MARGIN_MS = 5_000;

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${+(ms / 1000).toFixed(1)} s`;
}
