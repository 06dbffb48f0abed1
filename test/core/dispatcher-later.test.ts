import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { defineCommand } from '../../src/core/define-command.js';
import { UserError } from '../../src/core/errors.js';
import { reply, type Reply } from '../../src/core/reply.js';
import { ADMIN, TestAdapter, users } from '../helpers/test-adapter.js';

/** "counting…" now, and then whatever the test settles the later answer with. */
function later() {
  let settle: { resolve: (r: Reply) => void; reject: (e: unknown) => void } = { resolve: () => undefined, reject: () => undefined };
  const gate = new Promise<Reply>((resolve, reject) => (settle = { resolve, reject }));
  const command = defineCommand({
    name: 'later',
    description: 'answers twice',
    usage: '/later',
    examples: ['/later'],
    roles: ['viewer'],
    sideEffects: false,
    handler: () => ({ ...reply('counting…', { visibility: 'channel' }), later: gate }),
  });
  return { command, settle: () => settle };
}

describe('a reply with a later answer', () => {
  it('is audited once, when the later answer is given, with its outcome', async () => {
    const l = later();
    const t = await TestAdapter.create({ config: { access: { users: users({ [ADMIN]: ['admin'] }) } }, commands: [...commands, l.command] });
    const [first] = await t.say(ADMIN, '/later');
    expect(first?.text).toBe('counting…');
    expect(t.audit.records.filter((r) => r.command === 'later')).toEqual([]);
    l.settle().resolve(reply('4 total\u0007', { visibility: 'channel' }));
    // The later answer passes the same printable filter as the first (no control character reaches a chat).
    expect((await first!.later!).text).toBe('4 total\\u0007');
    expect(t.audit.records.filter((r) => r.command === 'later').map((r) => r.outcome)).toEqual(['ok']);
  });

  it('a later answer that fails is a coded error reply, and the audit row says so', async () => {
    const l = later();
    const t = await TestAdapter.create({ config: { access: { users: users({ [ADMIN]: ['admin'] }) } }, commands: [...commands, l.command] });
    const [first] = await t.say(ADMIN, '/later');
    l.settle().reject(new UserError('timeout', 'the count took longer than 60 s (status.refreshTimeoutMs); the server stopped it'));
    expect(await first!.later!).toMatchObject({ code: 'timeout', text: expect.stringContaining('the count took longer than 60 s') });
    expect(t.audit.records.filter((r) => r.command === 'later').map((r) => [r.outcome, r.errorCode])).toEqual([['error', 'timeout']]);
  });
});
