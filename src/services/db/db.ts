import type { Logger } from 'pino';
import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { UserError } from '../../core/errors.js';
import { BusyError, DeadlineError, errorCode, isAccessDenied, isConnectionError, toDbError } from './errors.js';
import type { Pool } from './pool.js';

/** One named SQL statement: the name is what logs and errors refer to. */
export interface Statement {
  readonly name: string;
  readonly sql: string;
}

export function statement(name: string, sql: string): Statement {
  return Object.freeze({ name, sql: sql.replace(/\s+/g, ' ').trim() });
}

export type Param = string | number | Date | null | Param[];

/**
 * Runs named statements with bound parameters under a deadline. Every call takes a connection,
 * runs one statement and gives it back; a connection that timed out or died is destroyed rather
 * than returned, so a hung socket never blocks later callers and the pool heals by reconnecting.
 */
export class Db {
  #pool: Pool;
  /** Statements running per pool, so a swapped-out pool is ended only once its last one is done. */
  readonly #inflight = new Map<Pool, { count: number; idle: (() => void)[] }>();
  /** Set while the credentials are known dead: statements fail at once instead of waiting for MySQL. */
  #down: string | undefined;
  /** Asked when MySQL refuses the credentials (dynamic credentials may have been revoked). */
  guard: CredentialGuard | undefined;

  /**
   * `timeoutMs` (`mysql.timeoutMs`) is how long MySQL may take to answer a statement once it is sent;
   * `queueMs` (`mysql.queueTimeoutMs`) is how long a statement may wait for a free pooled connection
   * before it fails, unsent, as "database busy". Two clocks, so a burst that queues behind the pool
   * is never mistaken for a server that stopped answering (docs/configuration.md).
   */
  constructor(
    pool: Pool,
    private readonly timeoutMs: number,
    private readonly log: Logger,
    private readonly queueMs = DEFAULT_QUEUE_MS,
  ) {
    this.#pool = pool;
  }

  /** The pool new statements use; it changes when credentials rotate. */
  get pool(): Pool {
    return this.#pool;
  }

  /**
   * Puts `next` in service at once, then waits for the statements still running on the old pool
   * and ends it, so a rotation fails none of them. Resolves with how many were still running.
   */
  async swap(next: Pool): Promise<number> {
    const old = this.#pool;
    this.#pool = next;
    this.#down = undefined;
    const running = this.#inflight.get(old)?.count ?? 0;
    if (running > 0) await new Promise<void>((resolve) => this.#inflight.get(old)?.idle.push(resolve));
    await old.end().catch(() => undefined);
    return running;
  }

  /** Fail statements at once with "database unavailable (reason)" until the next swap, or `undefined` to resume. */
  suspend(reason: string | undefined): void {
    this.#down = reason;
  }

  /** A SELECT through a server-side prepared statement. */
  async rows<T extends RowDataPacket>(st: Statement, params: readonly Param[] = [], opts?: RunOptions): Promise<T[]> {
    return (await this.#run(st, params, 'execute', opts)) as T[];
  }

  /** An INSERT through a server-side prepared statement. */
  async exec(st: Statement, params: readonly Param[] = [], opts?: RunOptions): Promise<ResultSetHeader> {
    return (await this.#run(st, params, 'execute', opts)) as ResultSetHeader;
  }

  /** A SELECT with client-side binding, for `IN (?)` with an array; values are still escaped by mysql2. */
  async select<T extends RowDataPacket>(st: Statement, params: readonly Param[]): Promise<T[]> {
    return (await this.#run(st, params, 'query')) as T[];
  }

  /** Client-side binding, for `VALUES ?` with an array of rows (one batch insert); values are still escaped by mysql2. */
  async batch(st: Statement, params: readonly Param[]): Promise<ResultSetHeader> {
    return (await this.#run(st, params, 'query')) as ResultSetHeader;
  }

  async end(): Promise<void> {
    await this.pool.end();
  }

  async #run(st: Statement, params: readonly Param[], mode: 'execute' | 'query', opts?: RunOptions): Promise<unknown> {
    if (this.#down) throw unsent(new UserError('unavailable', `database unavailable (${this.#down})`));
    // The statement stays on the pool it started on, even if a swap happens meanwhile.
    const pool = this.#pool;
    const slot = this.#inflight.get(pool) ?? { count: 0, idle: [] };
    this.#inflight.set(pool, slot);
    slot.count++;
    try {
      return await this.#runOn(pool, st, params, mode, Math.max(1, Math.min(this.queueMs, opts?.queueMs ?? Infinity)), opts?.timeoutMs);
    } finally {
      if (--slot.count === 0) {
        this.#inflight.delete(pool);
        for (const resolve of slot.idle.splice(0)) resolve();
      }
    }
  }

  async #runOn(pool: Pool, st: Statement, params: readonly Param[], mode: 'execute' | 'query', queueMs: number, timeoutMs = this.timeoutMs): Promise<unknown> {
    const conn = await this.#acquire(pool, st, queueMs);
    return this.#runConn(pool, conn, st, params, mode, timeoutMs);
  }

  async #acquire(pool: Pool, st: Statement, queueMs: number): Promise<PoolConnection> {
    const acquiring = pool.getConnection();
    try {
      return await within(acquiring, queueMs, () => new BusyError(queueMs));
    } catch (err) {
      // The pool may still hand us a connection later: give it straight back, unused, so the
      // statement is never sent after its caller was told it failed.
      acquiring.then((c) => c.release(), () => undefined);
      throw unsent(await this.#fail(st, err));
    }
  }

  /** One statement on a held connection; `keep` leaves a healthy connection with the caller (a session). */
  async #runConn(pool: Pool, conn: PoolConnection, st: Statement, params: readonly Param[], mode: 'execute' | 'query', timeoutMs: number, keep = false): Promise<unknown> {
    try {
      // mysql2's typings want a mutable any[]; the values are bound, never spliced into the text.
      const values = params as Param[];
      // The clock starts when the statement is sent: it measures MySQL's answer, not the queue.
      const [result] = await within(mode === 'execute' ? conn.execute(st.sql, values) : conn.query(st.sql, values), timeoutMs);
      if (!keep) conn.release();
      return result;
    } catch (err) {
      if (err instanceof DeadlineError) this.#abandon(pool, conn, st);
      else if (isConnectionError(err)) conn.destroy();
      else if (!keep) conn.release();
      throw await this.#fail(st, err);
    }
  }

  /**
   * Statements on one connection held for `fn`'s whole run: what belongs to a MySQL session
   * (GET_LOCK, a transaction) stays together. A statement past its deadline or a dead connection
   * ends the session (the connection is destroyed, so the server drops its locks); the rest fail.
   */
  async session<T>(fn: (s: Session) => Promise<T>, opts?: RunOptions & { readonly signal?: AbortSignal }): Promise<T> {
    if (this.#down) throw unsent(new UserError('unavailable', `database unavailable (${this.#down})`));
    const pool = this.#pool;
    const slot = this.#inflight.get(pool) ?? { count: 0, idle: [] };
    this.#inflight.set(pool, slot);
    slot.count++;
    const name = statement('session', '-- session');
    let conn: PoolConnection | undefined;
    let broken = false;
    let cleanup = () => {};
    try {
      conn = await this.#acquire(pool, name, Math.max(1, Math.min(this.queueMs, opts?.queueMs ?? Infinity)));
      const held = conn;
      // A stop while a statement runs: the statement is killed on the server, not left to run on.
      const stop = () => {
        broken = true;
        this.#abandon(pool, held, name);
      };
      if (opts?.signal?.aborted) stop();
      opts?.signal?.addEventListener('abort', stop, { once: true });
      cleanup = () => opts?.signal?.removeEventListener('abort', stop);
      const run = async (st: Statement, params: readonly Param[], o?: RunOptions) => {
        if (broken) throw new UserError('unavailable', 'database unavailable (the session ended)');
        try {
          return await this.#runConn(pool, held, st, params, 'execute', o?.timeoutMs ?? this.timeoutMs, true);
        } catch (err) {
          if (err instanceof UserError && err.code === 'unavailable') broken = true;
          throw err;
        }
      };
      return await fn({
        rows: async <R extends RowDataPacket>(st: Statement, params: readonly Param[] = [], o?: RunOptions) => (await run(st, params, o)) as R[],
        exec: async (st: Statement, params: readonly Param[] = [], o?: RunOptions) => (await run(st, params, o)) as ResultSetHeader,
      });
    } finally {
      cleanup();
      if (conn && !broken) conn.release();
      if (--slot.count === 0) {
        this.#inflight.delete(pool);
        for (const resolve of slot.idle.splice(0)) resolve();
      }
    }
  }

  /**
   * A statement past its deadline: closing our socket alone would leave MySQL running it (a GROUP BY
   * over millions of rows goes on for as long as it takes), so it is killed on the server too, from
   * another connection of the same user (anyone may kill their own statements). Best effort: an
   * unreachable server finds the dead socket by itself.
   */
  #abandon(pool: Pool, conn: PoolConnection, st: Statement): void {
    const threadId = conn.threadId;
    conn.destroy();
    void (async () => {
      const killer = await within(pool.getConnection(), this.timeoutMs);
      try {
        // The thread id comes from the server's handshake, never from input.
        await within(killer.query('KILL QUERY ?', [threadId]), this.timeoutMs);
        killer.release();
      } catch (err) {
        killer.destroy();
        throw err;
      }
    })().catch((err: unknown) => this.log.debug({ statement: st.name, err: err instanceof Error ? err.message : String(err) }, 'could not kill a statement past its deadline'));
  }

  async #fail(st: Statement, err: unknown): Promise<unknown> {
    this.log.warn({ statement: st.name, code: errorCode(err), err: err instanceof Error ? err.message : String(err) }, 'mysql statement failed');
    // A refusal of revoked or expired credentials is an outage until new ones arrive, not a setup problem.
    if (this.guard && isAccessDenied(err) && !(await this.guard.verify().catch(() => false)))
      return new UserError('unavailable', `database unavailable (${this.#down ?? 'the MySQL credentials are no longer valid'})`, { cause: err });
    // The pool captures no caller's stack (trace: false): the statement's name goes with the error, so a
    // "command failed" line that logs it names what ran.
    if (err instanceof Error && !Object.hasOwn(err, 'statement')) Object.assign(err, { statement: st.name });
    return toDbError(err);
  }
}

export interface RunOptions {
  /** A shorter wait for a free connection than `mysql.queueTimeoutMs`, for a caller with its own deadline. */
  readonly queueMs?: number;
  /** This statement's own answer deadline instead of `mysql.timeoutMs` (a status refresh has its own limit). */
  readonly timeoutMs?: number;
}

/** What runs statements: the pool (one connection per statement) or a session (one held connection). */
export interface Runner {
  rows<T extends RowDataPacket>(st: Statement, params?: readonly Param[], opts?: RunOptions): Promise<T[]>;
  exec(st: Statement, params?: readonly Param[], opts?: RunOptions): Promise<ResultSetHeader>;
}

/** Statements on one held connection (Db.session). */
export type Session = Runner;

/** What a Db asks when MySQL refuses its user: are the credentials still valid? */
export interface CredentialGuard {
  /** Resolves false when the credentials are dead (revoked or expired); new ones are then on their way. */
  verify(): Promise<boolean>;
}

// Failures that happened before the statement left this process (no connection, or the Db is suspended).
const UNSENT = new WeakSet<object>();

function unsent<E>(err: E): E {
  if (typeof err === 'object' && err !== null) UNSENT.add(err);
  return err;
}

/**
 * True when a failed statement never reached MySQL, so it certainly did not run. Otherwise (no
 * answer, connection lost mid-statement) it may have run: a write must find out before saying "not saved".
 */
export function neverSent(err: unknown): boolean {
  return typeof err === 'object' && err !== null && UNSENT.has(err);
}

/** Default for `mysql.queueTimeoutMs` (src/config/schema.ts keeps the same number). */
const DEFAULT_QUEUE_MS = 30_000;

/**
 * Rejects with `late()` (a DeadlineError by default) when `p` has not settled within `ms`. The timer
 * defers its verdict by one setImmediate, which runs after Node has read the sockets: an answer that
 * arrived while the event loop was busy wins, so only MySQL's silence counts, not this process's lag.
 */
function within<T>(p: Promise<T>, ms: number, late: () => Error = () => new DeadlineError(ms)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let check: NodeJS.Immediate | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => (check = setImmediate(() => reject(late()))), ms);
  });
  return Promise.race([p, deadline]).finally(() => {
    clearTimeout(timer);
    clearImmediate(check);
  });
}
