import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, Db, statement } from '../../../src/services/db/index.js';
import { until } from '../../helpers/until.js';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, type TestDatabase } from '../../helpers/mysql.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ tasks: 'classic' });
});
afterAll(async () => {
  await db?.drop();
});

describe('a statement past mysql.timeoutMs', () => {
  it('fails for its caller and is killed on the server, not left running', async () => {
    const pool = createPool({ host: MYSQL_HOST, port: MYSQL_PORT, user: db.appUser, password: db.appPassword, database: db.name, timeoutMs: 300, poolSize: 2 });
    const d = new Db(pool, 300, pino({ level: 'silent' }));
    try {
      // A marker in the text finds this statement in the process list (and nothing another test runs).
      const marker = `deadline_${db.name}`;
      await expect(d.rows(statement('test.sleep', `SELECT BENCHMARK(1000000000, SHA2('opsline', 256)) AS ${marker}`))).rejects.toThrow();
      const running = () => db.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND INFO NOT LIKE '%PROCESSLIST%'`, [`%${marker}%`]);
      // Without the kill, MariaDB runs the whole BENCHMARK (minutes) after the socket is gone.
      await until(async () => Number((await running())[0]?.n) === 0, { what: 'the statement to be gone from the process list', timeoutMs: 20_000 });
    } finally {
      await d.end();
    }
  }, 30_000);
});
