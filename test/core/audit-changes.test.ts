import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/core/audit.js';
import { ADMIN, TestAdapter, users } from '../helpers/test-adapter.js';

describe('which audit rows the reply waits for (mysql.auditBeforeReply: changes)', () => {
  it('the dispatcher marks rows of commands that change something and of refusals, not those of reads', async () => {
    const bot = await TestAdapter.create({ config: { access: { users: users({ [ADMIN]: ['admin'], 'console:viewer': ['viewer'] }) } } });
    const marked: string[] = [];
    const write = bot.audit.write.bind(bot.audit);
    bot.audit.write = (r: AuditRecord, changes?: boolean) => {
      marked.push(`${r.principalKey} ${r.command} ${r.decision} ${String(changes)}`);
      write(r);
    };
    try {
      await bot.say(ADMIN, '/note add hello');
      await bot.say(ADMIN, '/note list');
      await bot.say('console:viewer', '/whoami');
      await bot.say('console:viewer', '/note add no');
      await bot.say('console:stranger', '/status');
      await bot.say('console:viewer', '/nosuch');
      expect(marked).toEqual([
        `${ADMIN} note add allow true`,
        `${ADMIN} note list allow false`,
        'console:viewer whoami allow false',
        'console:viewer note add deny true',
        'console:stranger status deny true',
        'console:viewer nosuch unknown true',
      ]);
    } finally {
      await bot.app.stop();
    }
  });
});
