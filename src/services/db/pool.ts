import { createPool as createMysqlPool, type Pool, type PoolOptions } from 'mysql2/promise';
import type { Config } from '../../config/schema.js';

export type { Pool };
export type MysqlConfig = NonNullable<Config['mysql']>;

export interface PoolSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database?: string;
  readonly timeoutMs: number;
  /** How long a statement may wait for a free connection (`mysql.queueTimeoutMs`); Db has a default. */
  readonly queueTimeoutMs?: number;
  readonly poolSize: number;
}

/** Connection settings from `mysql.url` or from the separate fields; `url` overrides the config's own URL (migrate). */
export function poolSettings(config: MysqlConfig, url = config.url): PoolSettings {
  const base = { timeoutMs: config.timeoutMs, queueTimeoutMs: config.queueTimeoutMs, poolSize: config.poolSize };
  if (!url) {
    // With mysql.vault the user and password come from Vault (src/services/secrets/mysql-lease.ts).
    if (!config.host || (!config.user && !config.vault)) throw new Error('mysql: needs url, or host and user (or host and vault)');
    return { ...base, host: config.host, port: config.port, user: config.user ?? '', password: config.password ?? '', database: config.database };
  }
  const u = new URL(url);
  if (u.protocol !== 'mysql:') throw new Error('mysql.url must start with mysql://');
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined;
  return {
    ...base,
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database,
  };
}

/**
 * A mysql2 promise pool. utf8mb4 so emoji survive; UTC both ways so DATETIME values mean the same
 * on every replica; connections open lazily, so building it never waits for the server.
 */
export function createPool(s: PoolSettings): Pool {
  const options: PoolOptions = {
    host: s.host,
    port: s.port,
    user: s.user,
    password: s.password,
    database: s.database,
    connectionLimit: s.poolSize,
    maxIdle: s.poolSize,
    idleTimeout: 60_000,
    // Db's own deadline (timeoutMs) answers the caller; this only stops a hung connect attempt later.
    connectTimeout: s.timeoutMs + 500,
    enableKeepAlive: true,
    charset: 'UTF8MB4_UNICODE_520_CI',
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
    multipleStatements: false,
    // No caller's stack captured on every statement (Error.captureStackTrace through the async frames
    // above it, 10–15 µs per statement in a CPU profile, docs/testing.md "Per-command cost"): Db names
    // the statement in the line it logs for a failure and on the error it throws (src/services/db/db.ts),
    // whose stack then shows mysql2's own frames only.
    trace: false,
  };
  return createMysqlPool(options);
}
