import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool, Db, migrate, type Pool } from '../../src/services/db/index.js';
import { MYSQL_HOST, MYSQL_PORT } from '../helpers/mysql.js';

// docs/security.md's MySQL steps, run in the order written, with this test's names: a newcomer can follow them.
const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'security.md'), 'utf8');
const blocks = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/^ {3}/gm, ''));
const id = randomBytes(5).toString('hex');
const names = { db: `opsline_d_${id}`, bot: `opsline_b_${id}`, migrate: `opsline_m_${id}`, status: `flasktest_${id}` };
const pw = { bot: `bot-${id}`, migrate: `mig-${id}` };

/** The doc's statements with this test's database, users, passwords and status table. */
function ours(sql: string): string[] {
  return sql
    .replace(/'opsline_migrate'/g, `'${names.migrate}'`)
    .replace(/'opsline'@/g, `'${names.bot}'@`)
    .replace(/\bopsline\.(\*|\w+)/g, `${names.db}.$1`)
    .replace(/EXISTS opsline /g, `EXISTS ${names.db} `)
    .replace(/flasktest\.tasks/g, `${names.status}.tasks`)
    .replace(/'another-long-random-password'/g, `'${pw.migrate}'`)
    .replace(/'choose-a-long-random-password'/g, `'${pw.bot}'`)
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

const pool = (user: string, password: string, database?: string): Pool =>
  createPool({ host: MYSQL_HOST, port: MYSQL_PORT, user, password, database, timeoutMs: 5000, poolSize: 1 });

describe('docs/security.md, in order', () => {
  const root = pool('root', '');
  afterAll(async () => {
    await root.query(`DROP DATABASE IF EXISTS ${names.db}`);
    await root.query(`DROP DATABASE IF EXISTS ${names.status}`);
    for (const u of [names.bot, names.migrate]) await root.query(`DROP USER IF EXISTS '${u}'@'127.0.0.1'`);
    await root.end();
  });

  it('step 1, opsline migrate, step 3: the bot user at 127.0.0.1 reads and writes what it should, and no more', async () => {
    const [step1, step3] = [blocks[0]!, blocks[1]!];
    expect(step1).toMatch(/CREATE DATABASE/);
    expect(step3).toMatch(/GRANT SELECT, INSERT ON opsline\.notes TO 'opsline'@'127\.0\.0\.1'/);
    await root.query(`CREATE DATABASE ${names.status}`);
    await root.query(`CREATE TABLE ${names.status}.tasks (task_id INT PRIMARY KEY, task_status VARCHAR(50))`);

    for (const st of ours(step1)) await root.query(st);
    // Step 3 before the migration is what the old order did: the server refuses it.
    await expect(root.query(ours(step3)[1]!)).rejects.toMatchObject({ code: 'ER_NO_SUCH_TABLE' });

    const m = pool(names.migrate, pw.migrate, names.db);
    await migrate(new Db(m, 5000, pino({ level: 'silent' })));
    await m.end();
    for (const st of ours(step3)) await root.query(st);

    // Connecting over TCP to 127.0.0.1 matches the '…'@'127.0.0.1' account the doc creates.
    const bot = pool(names.bot, pw.bot, names.db);
    try {
      const [[who]] = (await bot.query('SELECT CURRENT_USER() AS u')) as unknown as [[{ u: string }]];
      expect(who.u).toBe(`${names.bot}@127.0.0.1`);
      await bot.query('SELECT COUNT(*) FROM notes');
      await bot.query(`SELECT COUNT(*) FROM ${names.status}.tasks`);
      await expect(bot.query('DELETE FROM audit_log')).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
    } finally {
      await bot.end();
    }
  });
});
