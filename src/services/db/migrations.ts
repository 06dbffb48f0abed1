import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { statement, type Db } from './db.js';
import { fill, OPERATOR_ERRORS } from '../../core/error-catalogue.js';
import { OperatorError } from '../../core/errors.js';

/** A column added only when missing: MySQL has no `ADD COLUMN IF NOT EXISTS`, so the step asks first. */
export interface AddColumn {
  readonly table: string;
  readonly column: string;
  readonly sql: string;
}

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** DDL statements, each safe to run again (MySQL commits DDL implicitly, so a half-applied step must be re-runnable). */
  readonly up: readonly (string | AddColumn)[];
  /**
   * For DDL that cannot say IF NOT EXISTS on every server: a SELECT that returns a row when the
   * change is already in place (a run that stopped between the DDL and recording it); `up` is then skipped.
   */
  readonly present?: string;
}

const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci';

/** The bot's own tables, in order. Never edit a released migration: add a new one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'notes and audit_log',
    up: [
      `CREATE TABLE IF NOT EXISTS notes (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        author_key VARCHAR(128) NOT NULL,
        author_name VARCHAR(128) NOT NULL,
        platform VARCHAR(16) NOT NULL,
        room VARCHAR(128) NOT NULL,
        body VARCHAR(2000) NOT NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        KEY notes_created (created_at)
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS audit_log (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        at DATETIME(3) NOT NULL,
        invocation_id VARCHAR(64) NOT NULL,
        principal_key VARCHAR(128) NOT NULL,
        platform VARCHAR(16) NOT NULL,
        room VARCHAR(128) NOT NULL,
        command VARCHAR(64) NOT NULL,
        args_json TEXT NOT NULL,
        decision VARCHAR(16) NOT NULL,
        outcome VARCHAR(16) NOT NULL,
        job_id VARCHAR(64) NULL,
        duration_ms INT UNSIGNED NOT NULL,
        error_code VARCHAR(32) NULL,
        KEY audit_at (at),
        KEY audit_principal (principal_key, at)
      ) ${TABLE_OPTIONS}`,
    ],
  },
  {
    version: 2,
    name: 'notes.invocation_id (a note is saved once per invocation)',
    // One ALTER, so it applies whole or not at all. Old rows keep NULL, which a UNIQUE key allows many times.
    up: [{ table: 'notes', column: 'invocation_id', sql: 'ALTER TABLE notes ADD COLUMN invocation_id VARCHAR(64) NULL, ADD UNIQUE KEY notes_invocation (invocation_id)' }],
  },
  {
    version: 3,
    name: 'access grants, revocations and the audit role source',
    up: [
      // Append-only: a revoke is a row of its own, so the bot's user needs no UPDATE or DELETE (docs/access.md).
      `CREATE TABLE IF NOT EXISTS access_grants (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        principal_key VARCHAR(128) NOT NULL,
        role VARCHAR(16) NOT NULL,
        expires_at DATETIME(3) NOT NULL,
        granted_by VARCHAR(128) NOT NULL,
        reason VARCHAR(200) NULL,
        announce_json VARCHAR(1000) NULL,
        created_at DATETIME(3) NOT NULL,
        KEY grants_expires (expires_at)
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS access_revocations (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        grant_id BIGINT UNSIGNED NOT NULL,
        revoked_by VARCHAR(128) NOT NULL,
        created_at DATETIME(3) NOT NULL,
        UNIQUE KEY revocations_grant (grant_id)
      ) ${TABLE_OPTIONS}`,
      { table: 'audit_log', column: 'role_source', sql: 'ALTER TABLE audit_log ADD COLUMN role_source VARCHAR(64) NULL' },
      { table: 'audit_log', column: 'requester_key', sql: 'ALTER TABLE audit_log ADD COLUMN requester_key VARCHAR(128) NULL' },
    ],
  },
  {
    version: 4,
    name: 'audit_log.invocation_id index (a retried audit batch is written once)',
    // Not UNIQUE: older trails may hold repeats, and the key must apply to them. The audit writer looks rows up by it.
    up: ['ALTER TABLE audit_log ADD KEY audit_invocation (invocation_id)'],
    present: "SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'audit_log' AND INDEX_NAME = 'audit_invocation'",
  },
  {
    version: 5,
    name: 'status snapshots (background counts, kept for the web chart)',
    // One row per refresh and one per status in it; a refresh that found no rows still has its snapshot.
    // Derived data with a retention: the bot's user may DELETE here, and only here (docs/security.md).
    up: [
      `CREATE TABLE IF NOT EXISTS status_snapshots (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        app VARCHAR(128) NOT NULL,
        win VARCHAR(8) NOT NULL,
        at DATETIME(3) NOT NULL,
        took_ms INT UNSIGNED NOT NULL,
        KEY snapshots_latest (app, win, at),
        KEY snapshots_at (at)
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS status_snapshot_counts (
        snapshot_id BIGINT UNSIGNED NOT NULL,
        status VARCHAR(255) NOT NULL,
        n BIGINT UNSIGNED NOT NULL,
        PRIMARY KEY (snapshot_id, status)
      ) ${TABLE_OPTIONS}`,
    ],
  },
  {
    version: 6,
    name: 'job history and output (the web view\'s job pages)',
    // Kept durably for `jobs.retention` (docs/configuration.md#jobs): the bot's user may DELETE here too.
    up: [
      `CREATE TABLE IF NOT EXISTS job_history (
        job_id VARCHAR(64) NOT NULL PRIMARY KEY,
        kind VARCHAR(16) NOT NULL,
        summary VARCHAR(2000) NOT NULL,
        requester VARCHAR(200) NOT NULL,
        requester_key VARCHAR(128) NOT NULL,
        command VARCHAR(64) NULL,
        started_at DATETIME(3) NOT NULL
      ) ${TABLE_OPTIONS}`,
      // A job's end is a row of its own, so the bot's user needs no UPDATE (docs/security.md).
      `CREATE TABLE IF NOT EXISTS job_ends (
        job_id VARCHAR(64) NOT NULL PRIMARY KEY,
        ended_at DATETIME(3) NOT NULL,
        ok TINYINT(1) NOT NULL,
        result VARCHAR(2000) NOT NULL,
        KEY job_ends_at (ended_at)
      ) ${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS job_output (
        job_id VARCHAR(64) NOT NULL,
        n INT UNSIGNED NOT NULL,
        line VARCHAR(2000) NOT NULL,
        PRIMARY KEY (job_id, n)
      ) ${TABLE_OPTIONS}`,
    ],
  },
  {
    version: 7,
    name: 'job_ends.outcome (how a job ended: ok, failed, cancelled, not queued, lost)',
    // Older ends keep NULL and read as ok or failed from their `ok` (src/services/db/job-log.ts).
    up: [{ table: 'job_ends', column: 'outcome', sql: 'ALTER TABLE job_ends ADD COLUMN outcome VARCHAR(16) NULL' }],
  },
];

const CREATE_VERSIONS = statement(
  'migrations.createTable',
  `CREATE TABLE IF NOT EXISTS schema_migrations (
     version INT UNSIGNED NOT NULL PRIMARY KEY,
     name VARCHAR(200) NOT NULL,
     applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
   ) ${TABLE_OPTIONS}`,
);
const APPLIED = statement('migrations.applied', 'SELECT version FROM schema_migrations');
const RECORD = statement('migrations.record', 'INSERT IGNORE INTO schema_migrations (version, name) VALUES (?, ?)');
const LOCK = statement('migrations.lock', 'SELECT GET_LOCK(CONCAT(DATABASE(), ?), ?) AS got');
const UNLOCK = statement('migrations.unlock', 'SELECT RELEASE_LOCK(CONCAT(DATABASE(), ?)) AS released');
const LOCK_NAME = '.opsline_migrate';
const HAS_COLUMN = statement(
  'migrations.hasColumn',
  'SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?',
);

async function hasColumn(conn: PoolConnection, step: AddColumn): Promise<boolean> {
  const [[row]] = await conn.query<RowDataPacket[]>(HAS_COLUMN.sql, [step.table, step.column]);
  return Number(row?.n) > 0;
}

export interface MigrateResult {
  readonly applied: readonly Migration[];
  readonly current: number;
}

/**
 * Applies the missing migrations in order. A named lock keeps two replicas that start
 * `opsline migrate` together from racing; running it again when up to date changes nothing.
 */
export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrateResult> {
  // GET_LOCK belongs to a session, so the whole run holds one connection.
  const conn = await db.pool.getConnection();
  try {
    const [[lock]] = await conn.query<RowDataPacket[]>(LOCK.sql, [LOCK_NAME, 30]);
    if (lock?.got !== 1) throw new OperatorError('migrate_locked', fill(OPERATOR_ERRORS.migrate_locked.text, { seconds: '30' }));
    try {
      await conn.query(CREATE_VERSIONS.sql);
      const [rows] = await conn.query<RowDataPacket[]>(APPLIED.sql);
      const done = new Set(rows.map((r) => Number(r.version)));
      const applied: Migration[] = [];
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(m.version)) continue;
        const [present] = m.present ? await conn.query<RowDataPacket[]>(m.present) : [[]];
        for (const step of present.length ? [] : m.up) {
          if (typeof step === 'string') await conn.query(step);
          else if (!(await hasColumn(conn, step))) await conn.query(step.sql);
        }
        await conn.query(RECORD.sql, [m.version, m.name]);
        applied.push(m);
      }
      return { applied, current: Math.max(0, ...done, ...applied.map((m) => m.version)) };
    } finally {
      await conn.query(UNLOCK.sql, [LOCK_NAME]);
    }
  } finally {
    conn.release();
  }
}
