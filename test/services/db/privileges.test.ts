import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../../src/services/db/index.js';
import { createTestDatabase, seedTasks, type TestDatabase } from '../../helpers/mysql.js';
import { ADMIN, startBot, VIEWER, WRITER } from './harness.js';

let db: TestDatabase;
let app: Pool;
beforeAll(async () => {
  db = await createTestDatabase({ tasks: 'classic' });
  await seedTasks(db, { Success: 2, Failed: 1 });
  app = createPool({ host: '127.0.0.1', port: 3306, user: db.appUser, password: db.appPassword, database: db.name, timeoutMs: 2000, poolSize: 2 });
});
afterAll(async () => {
  await app?.end();
  await db?.drop();
});

async function counts(): Promise<string> {
  const [r] = await db.sql('SELECT (SELECT COUNT(*) FROM notes) AS notes, (SELECT COUNT(*) FROM audit_log) AS audit, (SELECT COUNT(*) FROM tasks) AS tasks');
  return JSON.stringify(r);
}

describe('least privilege', () => {
  it('the bot runs every MySQL-backed command as a user with only the documented grants', async () => {
    const grants = (await db.sql<Record<string, string>>(`SHOW GRANTS FOR '${db.appUser}'@'%'`)).map((r) => Object.values(r)[0]);
    expect(grants.filter((g) => !g?.startsWith('GRANT USAGE')).sort()).toEqual([
      `GRANT SELECT ON \`${db.name}\`.\`tasks\` TO \`${db.appUser}\`@\`%\``,
      `GRANT SELECT, INSERT ON \`${db.name}\`.\`access_grants\` TO \`${db.appUser}\`@\`%\``,
      `GRANT SELECT, INSERT ON \`${db.name}\`.\`access_revocations\` TO \`${db.appUser}\`@\`%\``,
      `GRANT SELECT, INSERT ON \`${db.name}\`.\`audit_log\` TO \`${db.appUser}\`@\`%\``,
      `GRANT SELECT, INSERT ON \`${db.name}\`.\`notes\` TO \`${db.appUser}\`@\`%\``,
      `GRANT SELECT, INSERT, DELETE ON \`${db.name}\`.\`job_ends\` TO \`${db.appUser}\`@\`%\``,
      `GRANT SELECT, INSERT, DELETE ON \`${db.name}\`.\`job_history\` TO \`${db.appUser}\`@\`%\``,
      `GRANT SELECT, INSERT, DELETE ON \`${db.name}\`.\`job_output\` TO \`${db.appUser}\`@\`%\``,
      `GRANT SELECT, INSERT, DELETE ON \`${db.name}\`.\`status_snapshot_counts\` TO \`${db.appUser}\`@\`%\``,
      `GRANT SELECT, INSERT, DELETE ON \`${db.name}\`.\`status_snapshots\` TO \`${db.appUser}\`@\`%\``,
    ]);
    const bot = await startBot(db.appUrl(), { status: { table: 'tasks', statusColumn: 'task_status' } });
    expect((await bot.say(VIEWER, '/status')).text).toMatch(/^Tasks, all time: 3 total, 67% done/);
    expect((await bot.say(WRITER, '/note add least privilege works')).text).toMatch(/^note #\d+ saved$/);
    expect((await bot.say(VIEWER, '/note search privilege')).text).toMatch(/least privilege works/);
    expect((await bot.say(ADMIN, '/audit 3')).text).toMatch(/\/note search allow\/ok/);
    // Grants are append-only: a grant and its revocation are two INSERTs.
    expect((await bot.say(ADMIN, '/access grant console:viewer writer 1h')).text).toMatch(/^grant #(\d+): console:viewer has the writer role/);
    expect((await bot.say(VIEWER, '/note add with a grant')).text).toMatch(/^note #\d+ saved$/);
    expect((await bot.say(ADMIN, '/access revoke 1')).text).toMatch(/^grant #1 revoked/);
    expect((await bot.say(VIEWER, '/note add after the revoke')).text).toMatch(/needs the writer role/);
    await bot.app.services.audit.flush();
    const sources = await db.sql("SELECT principal_key, role_source FROM audit_log WHERE command = 'note add' ORDER BY id");
    expect(sources).toEqual([
      { principal_key: WRITER, role_source: 'config' },
      { principal_key: VIEWER, role_source: 'grant:1' },
      { principal_key: VIEWER, role_source: null },
    ]);
    await bot.stop();
  });

  it.each([
    ['UPDATE notes SET body = ?', ['x']],
    ['DELETE FROM notes', []],
    ['UPDATE audit_log SET outcome = ?', ['ok']],
    ['UPDATE access_grants SET expires_at = NOW() + INTERVAL 1 YEAR', []],
    ['DELETE FROM access_revocations', []],
    ['DELETE FROM audit_log', []],
    ['UPDATE status_snapshots SET took_ms = 0', []],
    ['UPDATE tasks SET task_status = ?', ['Success']],
    ['DELETE FROM tasks', []],
    ['INSERT INTO tasks (task_title, task_status) VALUES (?, ?)', ['x', 'Success']],
    ['TRUNCATE TABLE notes', []],
    ['DROP TABLE audit_log', []],
    ['CREATE TABLE evil (id INT)', []],
  ])('the server refuses %s', async (sql, params) => {
    const before = await counts();
    const err = await app.query(sql, params).then(
      () => undefined,
      (e: unknown) => e as { code?: string },
    );
    expect(err?.code).toMatch(/^ER_(TABLEACCESS|DBACCESS)_DENIED_ERROR$/);
    expect(await counts()).toBe(before);
  });

  it('docs/security.md gives the same GRANT statements', () => {
    const doc = readFileSync(new URL('../../../docs/security.md', import.meta.url), 'utf8');
    expect(doc).toContain("GRANT SELECT, INSERT ON opsline.notes TO 'opsline'@'127.0.0.1';");
    expect(doc).toContain("GRANT SELECT, INSERT ON opsline.audit_log TO 'opsline'@'127.0.0.1';");
    expect(doc).toContain("GRANT SELECT ON flasktest.tasks TO 'opsline'@'127.0.0.1';");
    expect(doc).toContain("GRANT SELECT, INSERT ON opsline.access_grants TO 'opsline'@'127.0.0.1';");
    expect(doc).toContain("GRANT SELECT, INSERT ON opsline.access_revocations TO 'opsline'@'127.0.0.1';");
    // Snapshots are counts the bot derived itself, kept for a retention (docs/security.md): DELETE there only.
    expect(doc).toContain("GRANT SELECT, INSERT, DELETE ON opsline.status_snapshots TO 'opsline'@'127.0.0.1';");
    expect(doc).toContain("GRANT SELECT, INSERT, DELETE ON opsline.status_snapshot_counts TO 'opsline'@'127.0.0.1';");
    // Job history and output, kept for jobs.retention: insert-only, DELETE for the retention only.
    for (const t of ['job_history', 'job_ends', 'job_output']) expect(doc).toContain(`GRANT SELECT, INSERT, DELETE ON opsline.${t} TO 'opsline'@'127.0.0.1';`);
    expect(doc).not.toMatch(/GRANT (ALL|UPDATE|DELETE)/);
  });
});
