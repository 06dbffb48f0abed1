import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { isErrorCode } from '../../src/core/error-catalogue.js';
import { defineCommand } from '../../src/core/define-command.js';
import { UserError, type ErrorCode } from '../../src/core/errors.js';
import { ADMIN, TestAdapter, users } from '../helpers/test-adapter.js';

/** A command as a plugin written in plain JavaScript could be: its code is whatever it says. */
const loose = defineCommand({
  name: 'loose',
  description: 'ends with the code it is given',
  usage: '/loose <code>',
  examples: [],
  args: [{ name: 'code', type: 'string', description: 'a code', required: true }],
  roles: ['viewer'],
  sideEffects: false,
  handler(ctx) {
    throw new UserError(String(ctx.args.code) as ErrorCode, `ended with ${String(ctx.args.code)}`);
  },
});

async function bot() {
  return TestAdapter.create({
    config: { access: { users: users({ [ADMIN]: ['admin'], 'console:viewer': ['viewer'] }) } },
    commands: [...commands, loose],
  });
}

describe('audit_log.error_code holds only catalogue codes', () => {
  it('for every way an invocation fails, the row and the reply carry a code of the catalogue', async () => {
    const t = await bot();
    try {
      const lines: [string, string][] = [
        ['console:stranger', '/status'],
        ['console:viewer', '/nosuch'],
        ['console:viewer', '/note'],
        ['console:viewer', '/note add hi'],
        ['console:viewer', '/status \u0007'],
        ['console:viewer', '/status'],
        [ADMIN, '/burn status nope-1'],
        [ADMIN, '/confirm 123456'],
        ['console:viewer', '/loose conflict'],
      ];
      const replies = [];
      for (const [who, line] of lines) replies.push(...(await t.say(who, line)));
      const codes = t.audit.records.map((r) => r.errorCode);
      expect(codes.filter((c) => c === undefined)).toEqual([]);
      expect(codes.filter((c) => !isErrorCode(c ?? ''))).toEqual([]);
      expect(new Set(codes).size).toBeGreaterThanOrEqual(6);
      expect(replies.map((r) => r.code)).toEqual(codes);
    } finally {
      await t.stop();
    }
  });

  it('a code outside the catalogue is a bug: the caller reads internal with a reference, and so does the row', async () => {
    const t = await bot();
    try {
      const [r] = await t.say('console:viewer', '/loose rate_limited');
      expect(r).toMatchObject({ code: 'internal', text: expect.stringMatching(/^something went wrong on our side \(ref [0-9a-f-]{36}\)$/) });
      expect(t.audit.records.at(-1)).toMatchObject({ command: 'loose', decision: 'allow', outcome: 'error', errorCode: 'internal' });
      const [inherited] = await t.say('console:viewer', '/loose constructor');
      expect(inherited?.code).toBe('internal');
      expect(t.audit.records.at(-1)?.errorCode).toBe('internal');
    } finally {
      await t.stop();
    }
  });
});
