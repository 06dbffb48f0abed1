import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { createPool, Db, migrate, type Pool } from '../../src/services/db/index.js';

/** The test server: MariaDB on 127.0.0.1:3306, root with an empty password (scripts/test-setup.mjs). */
export const MYSQL_HOST = '127.0.0.1';
export const MYSQL_PORT = 3306;

const silent = pino({ level: 'silent' });

export interface TestDatabase {
  /** Database name, also the name of the least-privilege user: `opsline_t_<random>`. */
  readonly name: string;
  /** Root on this database (DDL, seeding, checking what the bot wrote). */
  readonly admin: Pool;
  readonly adminUrl: string;
  /** The bot's user: SELECT and INSERT on notes, audit_log, access_grants and access_revocations, and DELETE too on the status snapshots and the job history and output, SELECT on tasks — the GRANTs of docs/security.md. */
  readonly appUser: string;
  readonly appPassword: string;
  /** `mysql://` URL for the bot's user, optionally through another port (a proxy). */
  appUrl(port?: number): string;
  /** Rows of a SELECT (or the result of anything else) run as root on this database. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Create the monitored application's table: `classic` has no time column, `timed` adds created_at. */
  readonly tasks?: 'classic' | 'timed';
  /** Run the bot's migrations (default); without them the app user gets no grants on notes or audit_log. */
  readonly migrate?: boolean;
  /** Another server than the shared one (a test's own, test/helpers/mariadb-server.ts). */
  readonly port?: number;
}

function rootPool(port: number, database?: string): Pool {
  return createPool({ host: MYSQL_HOST, port, user: 'root', password: '', database, timeoutMs: 5000, poolSize: 4 });
}

/** A fresh database with the bot's tables migrated and a least-privilege user; drop() removes both. */
export async function createTestDatabase(opts: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = `opsline_t_${randomBytes(6).toString('hex')}`;
  const appPassword = randomBytes(12).toString('hex');
  const port = opts.port ?? MYSQL_PORT;
  const server = rootPool(port);
  await server.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci`);
  await server.end();
  const admin = rootPool(port, name);
  const migrated = opts.migrate ?? true;
  if (migrated) await migrate(new Db(admin, 5000, silent));
  if (opts.tasks) {
    const time = opts.tasks === 'timed' ? ', created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP' : '';
    await admin.query(
      `CREATE TABLE tasks (task_id INT AUTO_INCREMENT PRIMARY KEY, task_title VARCHAR(50), task_status VARCHAR(50)${time}) DEFAULT CHARSET=utf8mb4`,
    );
  }
  // Exactly the statements docs/security.md gives, with this test's names.
  await admin.query(`CREATE USER '${name}'@'%' IDENTIFIED BY '${appPassword}'`);
  if (migrated) await admin.query(`GRANT SELECT, INSERT ON ${name}.notes TO '${name}'@'%'`);
  if (migrated) await admin.query(`GRANT SELECT, INSERT ON ${name}.audit_log TO '${name}'@'%'`);
  if (migrated) await admin.query(`GRANT SELECT, INSERT ON ${name}.access_grants TO '${name}'@'%'`);
  if (migrated) await admin.query(`GRANT SELECT, INSERT ON ${name}.access_revocations TO '${name}'@'%'`);
  if (migrated) await admin.query(`GRANT SELECT, INSERT, DELETE ON ${name}.status_snapshots TO '${name}'@'%'`);
  if (migrated) await admin.query(`GRANT SELECT, INSERT, DELETE ON ${name}.status_snapshot_counts TO '${name}'@'%'`);
  for (const t of ['job_history', 'job_ends', 'job_output']) if (migrated) await admin.query(`GRANT SELECT, INSERT, DELETE ON ${name}.${t} TO '${name}'@'%'`);
  if (opts.tasks) await admin.query(`GRANT SELECT ON ${name}.tasks TO '${name}'@'%'`);
  return {
    name,
    admin,
    adminUrl: `mysql://root@${MYSQL_HOST}:${port}/${name}`,
    appUser: name,
    appPassword,
    appUrl: (via = port) => `mysql://${name}:${appPassword}@${MYSQL_HOST}:${via}/${name}`,
    async sql<T>(text: string, params: unknown[] = []) {
      const [rows] = await admin.query(text, params);
      return rows as T[];
    },
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.query(`DROP USER IF EXISTS '${name}'@'%'`);
      await admin.end();
    },
  };
}

/** Inserts `counts` rows per status into the tasks table, in one statement per status. */
export async function seedTasks(db: TestDatabase, counts: Record<string, number>, createdAt?: Date): Promise<void> {
  for (const [status, n] of Object.entries(counts)) {
    const rows = Array.from({ length: n }, (_, i) => (createdAt ? [`t${i}`, status, createdAt] : [`t${i}`, status]));
    if (rows.length === 0) continue;
    const cols = createdAt ? '(task_title, task_status, created_at)' : '(task_title, task_status)';
    await db.admin.query(`INSERT INTO tasks ${cols} VALUES ?`, [rows]);
  }
}

/** A SELECT-only user on one table of a test database: what a declared `sql` command's source connects as. */
export interface ReadOnlyUser {
  readonly user: string;
  readonly password: string;
  /** `mysql://` URL for this user on the test database. */
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates `<db>_ro` with SELECT on `table` only; names and password go in as placeholders, never into the SQL text. */
export async function readOnlyUser(db: TestDatabase, table: string): Promise<ReadOnlyUser> {
  const user = `${db.name}_ro`;
  const password = randomBytes(12).toString('hex');
  await db.admin.query("CREATE USER ?@'%' IDENTIFIED BY ?", [user, password]);
  await db.admin.query("GRANT SELECT ON ??.?? TO ?@'%'", [db.name, table, user]);
  return {
    user,
    password,
    url: `mysql://${user}:${password}@${MYSQL_HOST}:${MYSQL_PORT}/${db.name}`,
    drop: async () => void (await db.admin.query("DROP USER IF EXISTS ?@'%'", [user])),
  };
}
