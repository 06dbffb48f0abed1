import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { defineCommand } from '../../src/core/define-command.js';
import { UserError } from '../../src/core/errors.js';
import { reply } from '../../src/core/reply.js';
import { ADMIN, TestAdapter, users } from '../helpers/test-adapter.js';

const boom = defineCommand({
  name: 'boom',
  description: 'fails',
  usage: '/boom [kind]',
  examples: [],
  args: [{ name: 'kind', type: 'string', description: 'k', choices: ['user', 'bug'] }],
  roles: ['viewer'],
  sideEffects: false,
  handler(ctx) {
    if (ctx.args.kind === 'user') throw new UserError('conflict', 'drive dvd1 is busy');
    if (ctx.args.kind === 'bug') throw new TypeError('cannot read properties of undefined (secret stack)');
    ctx.setJobId('job-7');
    return reply('fine', { visibility: 'channel' });
  },
});

async function bot() {
  return TestAdapter.create({
    config: { access: { users: users({ [ADMIN]: ['admin'], 'console:viewer': ['viewer'] }) } },
    commands: [...commands, boom],
  });
}

describe('dispatcher outcomes', () => {
  it('runs an allowed command and audits it with its job id', async () => {
    const t = await bot();
    expect(await t.say('console:viewer', '/boom')).toEqual([{ text: 'fine', fields: undefined, visibility: 'channel' }]);
    expect(t.audit.records).toHaveLength(1);
    expect(t.audit.records[0]).toMatchObject({
      principalKey: 'console:viewer',
      platform: 'test',
      room: 'room',
      command: 'boom',
      decision: 'allow',
      outcome: 'ok',
      jobId: 'job-7',
      argsJson: '{"text":""}',
    });
  });

  it('refuses an unknown principal, naming the role and their key', async () => {
    const t = await bot();
    const [r] = await t.say('slack:T1:U2', '/status');
    expect(r).toEqual({
      text: 'you are not on the allowlist. /status needs the viewer role; your key is slack:T1:U2 (an admin can add it)',
      visibility: 'ephemeral',
      code: 'denied',
    });
    expect(t.audit.records[0]).toMatchObject({ decision: 'deny', outcome: 'refused', errorCode: 'denied', command: 'status' });
  });

  it('tells an unknown principal only that, not the subcommands a bare or mistyped command would list', async () => {
    const t = await bot();
    for (const line of ['/note', '/note frobnicate']) {
      const [r] = await t.say('slack:T1:U2', line);
      expect(r?.text).toBe('you are not on the allowlist; your key is slack:T1:U2 (an admin can add it)');
    }
    expect(t.audit.records.map((a) => a.decision)).toEqual(['deny', 'deny']);
  });

  it('refuses a listed user without the role', async () => {
    const t = await bot();
    expect(await t.text('console:viewer', '/note add hi')).toBe('/note add needs the writer role; your key is console:viewer (an admin can grant it)');
    expect(await t.text('console:viewer', '/audit')).toBe('/audit needs the admin role; your key is console:viewer (an admin can grant it)');
  });

  it('authorises before parsing, so a refused caller learns nothing about arguments', async () => {
    const t = await bot();
    const [r] = await t.say('console:nobody', '/note list 999');
    expect(r?.code).toBe('denied');
  });

  it('answers a usage error with the usage line', async () => {
    const t = await bot();
    const [r] = await t.say(ADMIN, '/note list abc');
    expect(r).toMatchObject({ text: 'n must be a whole number from 1 to 50. Usage: /note list [n]', code: 'usage', visibility: 'ephemeral' });
    expect(t.audit.records[0]).toMatchObject({ decision: 'invalid', outcome: 'refused', command: 'note list' });
  });

  it('shows a user error as is and hides a bug behind a reference', async () => {
    const t = await bot();
    expect(await t.say(ADMIN, '/boom user')).toMatchObject([{ text: 'drive dvd1 is busy', code: 'conflict' }]);
    const [r] = await t.say(ADMIN, '/boom bug');
    expect(r?.code).toBe('internal');
    expect(r?.text).toMatch(/^something went wrong on our side \(ref [0-9a-f-]{36}\)$/);
    expect(r?.text).not.toContain('secret stack');
    expect(t.audit.records.map((a) => a.outcome)).toEqual(['error', 'error']);
    expect(t.audit.records[1]?.errorCode).toBe('internal');
  });

  it('answers an unknown command', async () => {
    const t = await bot();
    expect(await t.say(ADMIN, '/nope now')).toMatchObject([{ text: 'unknown command /nope; did you mean /note? try /help', code: 'unknown_command' }]);
    expect(t.audit.records[0]).toMatchObject({ decision: 'unknown', command: 'nope' });
  });
});

describe('bad input', () => {
  const cases: [string, string][] = [
    ['/note add "unbalanced', 'note #3 saved (storage not configured: notes are kept in memory until restart)'],
    ['/help "unbalanced', 'unbalanced " quote. Usage: /help [command]'],
    [`/note search ${'x'.repeat(10_240)}`, 'input too long: 10247 characters, at most 4000'],
    [`/help ${'x'.repeat(3000)}`, 'command is too long (3000 characters, at most 40). Usage: /help [command]'],
    ['/note add a\u0000b', 'input contains control characters'],
    ['/note add \u001b[31mred', 'input contains control characters'],
    ['/no\u0007pe', 'unknown command /no?pe; try /help'],
    ['/note add    ', 'missing text. Usage: /note add <text>'],
    ['/note', 'which one? add, list, search. Usage: /note add <text> | list [n] | search <words>'],
    ["/status '; DROP TABLE tasks; --", "unbalanced ' quote. Usage: /status [today|24h|7d|all]"],
    ['/status all DROP TABLE tasks', 'unexpected argument "DROP". Usage: /status [today|24h|7d|all]'],
    ['/status 1 OR 1=1', 'window must be one of: today, 24h, 7d, all. Usage: /status [today|24h|7d|all]'],
  ];
  for (const [line, expected] of cases) {
    it(`${JSON.stringify(line.slice(0, 40))} gets a short, specific reply`, async () => {
      const t = await bot();
      const text = await t.text(ADMIN, line);
      expect(text).toBe(expected);
      expect(text.length).toBeLessThan(200);
      expect(t.audit.records).toHaveLength(1);
    });
  }

  it('changes nothing when input is refused', async () => {
    const t = await bot();
    await t.say(ADMIN, '/note add a\u0000b');
    await t.say(ADMIN, `/note add ${'y'.repeat(2001)}`);
    expect(await t.text(ADMIN, '/note list')).not.toMatch(/yyy|a.b/);
    expect((await t.app.services.notes.list(50)).length).toBe(2);
  });
});
