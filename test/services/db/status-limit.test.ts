import { describe, expect, it } from 'vitest';
import { flavourOf, limitedCount, statement } from '../../../src/services/db/index.js';

const count = statement('tasks.countByStatus', 'SELECT `task_status` AS status, COUNT(*) AS n FROM `tasks` GROUP BY `task_status`');

describe('the server-side limit of a refresh', () => {
  it('reads the server flavour from VERSION()', () => {
    expect(flavourOf('10.11.19-MariaDB-0+deb12u1')).toBe('mariadb');
    expect(flavourOf('8.0.36')).toBe('mysql');
    expect(flavourOf('8.4.0-log')).toBe('mysql');
  });

  it("is MariaDB's max_statement_time in seconds, or MySQL's MAX_EXECUTION_TIME hint in ms", () => {
    expect(limitedCount('mariadb', count, 1500).sql).toBe(`SET STATEMENT max_statement_time=1.500 FOR ${count.sql}`);
    expect(limitedCount('mysql', count, 1500).sql).toBe('SELECT /*+ MAX_EXECUTION_TIME(1500) */ `task_status` AS status, COUNT(*) AS n FROM `tasks` GROUP BY `task_status`');
    expect(limitedCount('mysql', count, 0.2).sql).toContain('MAX_EXECUTION_TIME(1)');
  });
});
