import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrate } from '../../../src/cli/migrate.js';
import { createPool, Db, migrate, MIGRATIONS } from '../../../src/services/db/index.js';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, type TestDatabase } from '../../helpers/mysql.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
  dir = mkdtempSync(join(tmpdir(), 'opsline-migrate-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db?.drop();
});

function configFile(yaml: string): string {
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, yaml);
  return path;
}

async function migrateCli(path: string) {
  const io = { out: new Capture(), err: new Capture() };
  const code = await runMigrate(path, io);
  return { code, out: io.out.text, err: io.err.text };
}

describe('opsline migrate', () => {
  it('uses mysql.migrateUrl, creates the tables once, and is a no-op the second time', async () => {
    // The bot's own user (url) has no DDL rights; migrate must use migrateUrl.
    const path = configFile(`mysql:\n  url: ${db.appUrl()}\n  migrateUrl: ${db.adminUrl}\nlog: { level: silent }\n`);
    const first = await migrateCli(path);
    expect(first).toEqual({
      code: 0,
      out: `applied 1: notes and audit_log\napplied 2: notes.invocation_id (a note is saved once per invocation)\napplied 3: access grants, revocations and the audit role source\napplied 4: audit_log.invocation_id index (a retried audit batch is written once)\napplied 5: status snapshots (background counts, kept for the web chart)\napplied 6: job history and output (the web view's job pages)\napplied 7: job_ends.outcome (how a job ended: ok, failed, cancelled, not queued, lost)\ndatabase ${db.name} is now at version 7\n`,
      err: '',
    });
    const second = await migrateCli(path);
    expect(second).toEqual({ code: 0, out: `database ${db.name} is up to date (version 7)\n`, err: '' });
    const versions = await db.sql<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('creates utf8mb4 tables with the columns the notes and audit repositories use', async () => {
    const cols = await db.sql<{ t: string; c: string; cs: string | null }>(
      `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, CHARACTER_SET_NAME AS cs FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN ('notes', 'audit_log') ORDER BY TABLE_NAME, ORDINAL_POSITION`,
      [db.name],
    );
    const names = (t: string) => cols.filter((c) => c.t === t).map((c) => c.c);
    expect(names('notes')).toEqual(['id', 'author_key', 'author_name', 'platform', 'room', 'body', 'created_at', 'invocation_id']);
    expect(names('audit_log')).toEqual([
      'id', 'at', 'invocation_id', 'principal_key', 'platform', 'room', 'command', 'args_json',
      'decision', 'outcome', 'job_id', 'duration_ms', 'error_code', 'role_source', 'requester_key',
    ]);
    for (const c of cols) if (c.cs !== null) expect(c.cs, `${c.t}.${c.c}`).toBe('utf8mb4');
  });

  it('lets concurrent runs race safely: each migration is applied exactly once', async () => {
    const next = MIGRATIONS.length + 1;
    const extra = [...MIGRATIONS, { version: next, name: 'test index', up: ['CREATE INDEX IF NOT EXISTS notes_author ON notes (author_key)'] }];
    const pools = Array.from({ length: 3 }, () =>
      createPool({ host: MYSQL_HOST, port: MYSQL_PORT, user: 'root', password: '', database: db.name, timeoutMs: 5000, poolSize: 1 }),
    );
    const results = await Promise.all(pools.map((p) => migrate(new Db(p, 5000, pino({ level: 'silent' })), extra)));
    expect(results.map((r) => r.applied.map((m) => m.version)).flat()).toEqual([next]);
    expect(results.map((r) => r.current)).toEqual([next, next, next]);
    await Promise.all(pools.map((p) => p.end()));
  });

  it('adds a column only when it is missing, so a half-applied migration can run again', async () => {
    await db.sql('DELETE FROM schema_migrations WHERE version = 2');
    const pool = createPool({ host: MYSQL_HOST, port: MYSQL_PORT, user: 'root', password: '', database: db.name, timeoutMs: 5000, poolSize: 1 });
    const again = await migrate(new Db(pool, 5000, pino({ level: 'silent' })), MIGRATIONS);
    await pool.end();
    expect(again.applied.map((m) => m.version)).toEqual([2]);
  });

  it('fails with a clear message and exit 1 when MySQL cannot be reached', async () => {
    const path = configFile('mysql:\n  url: mysql://root@127.0.0.1:1/nowhere\n  timeoutMs: 500\nlog: { level: silent }\n');
    const r = await migrateCli(path);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^opsline migrate: ECONNREFUSED/);
  });

  it('refuses a config without a mysql section', async () => {
    await expect(runMigrate(configFile('log: { level: silent }\n'))).rejects.toThrow(/mysql: required by opsline migrate/);
  });

  it('refuses Vault-issued credentials without a migrateUrl, naming the key', async () => {
    const path = configFile('mysql: { host: 127.0.0.1, database: opsline, vault: { role: opsline-app } }\nvault: { addr: "http://127.0.0.1:1", token: t }\nlog: { level: silent }\n');
    await expect(runMigrate(path)).rejects.toThrow(/mysql\.migrateUrl: required by opsline migrate when mysql\.vault is set/);
  });

  it('skips a step whose change is already in place (a run that stopped before recording it)', async () => {
    const root = createPool({ host: MYSQL_HOST, port: MYSQL_PORT, user: 'root', password: '', database: db.name, timeoutMs: 5000, poolSize: 1 });
    await root.query('DELETE FROM schema_migrations WHERE version = 2');
    const r = await migrate(new Db(root, 5000, pino({ level: 'silent' })));
    expect(r.applied.map((m) => m.version)).toEqual([2]);
    await root.end();
  });
});
