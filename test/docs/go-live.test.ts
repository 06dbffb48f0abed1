import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/mysql.js';
import { TestAdapter, users } from '../helpers/test-adapter.js';

// docs/hosting.md, "Go live": the status table it shows works with the status keys it names.
const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'hosting.md'), 'utf8');
const live = doc.slice(doc.indexOf('## Go live'));
const block = [...live.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/^ {3}/gm, '')).find((b) => b.includes('CREATE TABLE'));

describe('docs/hosting.md, Go live', () => {
  let db: TestDatabase;
  let t: TestAdapter;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.stop();
    await db?.sql(`DROP DATABASE IF EXISTS ${db.name}_app`);
    await db?.drop();
  });

  it("creates a status table that /status counts with the doc's status keys, over a time window", async () => {
    expect(block).toMatch(/CREATE TABLE flasktest\.tasks/);
    const app = `${db.name}_app`;
    for (const st of block!.replace(/\bflasktest\b/g, app).split(';').map((s) => s.trim()).filter(Boolean)) await db.sql(st);
    await db.sql(`GRANT SELECT ON ${app}.tasks TO '${db.appUser}'@'%'`);
    await db.sql(`INSERT INTO ${app}.tasks (task_title, task_status) VALUES ('a', 'Success'), ('b', 'Failed'), ('c', 'Success')`);
    t = await TestAdapter.create({
      demo: false,
      config: {
        mysql: { url: db.appUrl() },
        status: { table: `${app}.tasks`, statusColumn: 'task_status', timeColumn: 'created_at' },
        access: { users: users({ 'console:ops': ['viewer'] }) },
      },
    });
    // 7d: whatever the server's time zone, rows just inserted are inside it (the time column is in use).
    expect(await t.text('console:ops', '/status 7d')).toMatch(/^Tasks, last 7 days: 3 total, 67% done/);
  });
});
