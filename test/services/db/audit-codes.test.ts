import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, isErrorCode } from '../../../src/core/error-catalogue.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mysql.js';
import { ADMIN, startBot, VIEWER } from './harness.js';

/** What earlier versions wrote to audit_log.error_code (docs/errors.md: codes are never renamed). */
const STORED = ['unknown_command', 'usage', 'denied', 'bad_input', 'not_found', 'conflict', 'not_configured', 'unavailable', 'timeout', 'internal'];

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('audit_log.error_code in MariaDB', () => {
  it('rows stored with every earlier code read back and show as they were, next to new ones', async () => {
    for (const [i, code] of STORED.entries())
      await db.sql(
        `INSERT INTO audit_log (at, invocation_id, principal_key, platform, room, command, args_json, decision, outcome, duration_ms, error_code)
         VALUES (NOW(3), ?, 'console:old', 'console', 'tty', 'status', '{}', 'allow', 'error', 1, ?)`,
        [`old-${i}`, code],
      );
    const bot = await startBot(db.appUrl());
    try {
      expect((await bot.say(VIEWER, '/nosuch')).code).toBe('unknown_command');
      expect((await bot.say(VIEWER, '/audit')).code).toBe('denied');
      await bot.app.services.audit.flush();
      const recent = await bot.app.services.audit.recent(50);
      const codes = recent.map((r) => r.errorCode).filter((c) => c !== undefined);
      expect(codes.filter((c) => !isErrorCode(c))).toEqual([]);
      expect(new Set(codes)).toEqual(new Set(STORED));
      const text = (await bot.say(ADMIN, '/audit 50')).text;
      for (const code of STORED) expect(text).toContain(`console:old /status allow/error (${code})`);
    } finally {
      await bot.stop();
    }
    const written = await db.sql<{ error_code: string | null }>('SELECT DISTINCT error_code FROM audit_log WHERE error_code IS NOT NULL');
    expect(written.map((r) => r.error_code).filter((c) => !ERROR_CODES.includes(c as never))).toEqual([]);
  });
});
