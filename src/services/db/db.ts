import type { Logger } from 'pino';
import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { DeadlineError, errorCode, isConnectionError, toDbError } from './errors.js';
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
  constructor(
    readonly pool: Pool,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  /** A SELECT through a server-side prepared statement. */
  async rows<T extends RowDataPacket>(st: Statement, params: readonly Param[] = []): Promise<T[]> {
    return (await this.#run(st, params, 'execute')) as T[];
  }

  /** An INSERT through a server-side prepared statement. */
  async exec(st: Statement, params: readonly Param[] = []): Promise<ResultSetHeader> {
    return (await this.#run(st, params, 'execute')) as ResultSetHeader;
  }

  /** Client-side binding, for `VALUES ?` with an array of rows (one batch insert); values are still escaped by mysql2. */
  async batch(st: Statement, params: readonly Param[]): Promise<ResultSetHeader> {
    return (await this.#run(st, params, 'query')) as ResultSetHeader;
  }

  async end(): Promise<void> {
    await this.pool.end();
  }

  async #run(st: Statement, params: readonly Param[], mode: 'execute' | 'query'): Promise<unknown> {
    const started = Date.now();
    const acquiring = this.pool.getConnection();
    let conn: PoolConnection;
    try {
      conn = await within(acquiring, this.timeoutMs);
    } catch (err) {
      // The pool may still hand us a connection later: give it straight back.
      acquiring.then((c) => c.release(), () => undefined);
      throw this.#fail(st, err);
    }
    try {
      const left = Math.max(1, this.timeoutMs - (Date.now() - started));
      // mysql2's typings want a mutable any[]; the values are bound, never spliced into the text.
      const values = params as Param[];
      const [result] = await within(mode === 'execute' ? conn.execute(st.sql, values) : conn.query(st.sql, values), left, this.timeoutMs);
      conn.release();
      return result;
    } catch (err) {
      if (err instanceof DeadlineError || isConnectionError(err)) conn.destroy();
      else conn.release();
      throw this.#fail(st, err);
    }
  }

  #fail(st: Statement, err: unknown): unknown {
    const mapped = toDbError(err);
    this.log.warn({ statement: st.name, code: errorCode(err), err: err instanceof Error ? err.message : String(err) }, 'mysql statement failed');
    return mapped;
  }
}

/** Rejects with a DeadlineError (naming the whole budget) when `p` has not settled within `ms`. */
function within<T>(p: Promise<T>, ms: number, budget = ms): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(budget)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
