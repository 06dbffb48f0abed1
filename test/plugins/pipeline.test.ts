import { afterEach, describe, expect, it } from 'vitest';
import { defineCommand, reply } from '../../src/sdk/index.js';
import { testBot, type TestBot } from '../../src/sdk/testing.js';

// Plugin commands through the real registry and dispatcher (docs/plugins.md): the same gate as the built-ins.
const hello = defineCommand({
  name: 'hello',
  description: 'Says hello',
  args: [{ name: 'who', type: 'string', description: 'whom to greet', maxLength: 20 }],
  roles: ['viewer'],
  handler: (ctx) => `hello ${ctx.args.who ?? ctx.caller.name} from ${ctx.invocation.platform}`,
});
const restart = defineCommand({
  name: 'restart-web',
  description: 'Restarts the web tier',
  roles: ['operator'],
  sideEffects: true,
  confirm: 'restart the web tier?',
  handler: () => reply('restarting', { visibility: 'channel' }),
});
const broken = defineCommand({
  name: 'broken',
  description: 'Throws',
  roles: ['viewer'],
  handler: () => {
    throw new Error('plugin bug: db handle undefined');
  },
});
// A reply is copied field by field: buttons belong to the pipeline's own steps, not to a plugin.
const forger = defineCommand({
  name: 'forger',
  description: 'Returns a reply with an approve button of its own',
  roles: ['viewer'],
  handler: () => ({ text: 'approve me', visibility: 'ephemeral', approve: { code: 'abcdef', expiresInSec: 60 } }) as never,
});
const slow = defineCommand({
  name: 'slow',
  description: 'Opens a thread',
  roles: ['viewer'],
  handler: async (ctx) => {
    const t = await ctx.thread('rolling for @someone', 'starting');
    await t.post('half way');
    await t.finish('done', 'finished');
    return 'see the thread';
  },
});

let bot: TestBot | undefined;
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
});

const make = (config?: Record<string, unknown>) =>
  testBot({ commands: [hello, restart, broken, forger, slow], users: { 'console:vic': ['viewer'], 'console:ops': ['operator'] }, ...(config ? { config } : {}) });

describe('plugin commands in the pipeline', () => {
  it('runs for an allowed caller with typed args, denies anyone else, one audit row each', async () => {
    bot = await make();
    expect((await bot.say('console:vic', '/hello ann')).text).toBe('hello ann from test');
    expect((await bot.say('console:vic', '/hello')).text).toBe('hello vic from test');
    const stranger = await bot.say('console:mallory', '/hello');
    expect(stranger.code).toBe('denied');
    const tooLong = await bot.say('console:vic', `/hello ${'x'.repeat(21)}`);
    expect(tooLong.code).toBe('usage');
    expect(bot.audit.map((r) => [r.principalKey, r.command, r.decision, r.outcome])).toEqual([
      ['console:vic', 'hello', 'allow', 'ok'],
      ['console:vic', 'hello', 'allow', 'ok'],
      ['console:mallory', 'hello', 'deny', 'refused'],
      ['console:vic', 'hello', 'invalid', 'refused'],
    ]);
  });

  it('keeps a viewer from an operator command and from seeing it in /help', async () => {
    bot = await make();
    expect((await bot.say('console:vic', '/restart-web')).code).toBe('denied');
    const help = (await bot.say('console:vic', '/help')).text;
    expect(help).toContain('/hello');
    expect(help).not.toContain('/restart-web');
    expect((await bot.say('console:ops', '/help')).text).toContain('/restart-web');
  });

  it('asks to confirm first and runs only on /confirm', async () => {
    bot = await make();
    const asked = await bot.say('console:ops', '/restart-web');
    expect(asked.text).toContain('restart the web tier?');
    expect(asked.reply.confirm?.code).toMatch(/\S+/);
    const done = await bot.say('console:ops', `/confirm ${asked.reply.confirm!.code}`);
    expect(done.text).toBe('restarting');
    expect(done.reply.visibility).toBe('channel');
  });

  it('follows access.commands overrides as the built-ins do', async () => {
    bot = await make({ access: { commands: { hello: ['admin'] } } });
    expect((await bot.say('console:vic', '/hello')).code).toBe('denied');
  });

  it('answers a throwing handler with a short internal error naming the invocation, logs the stack, and goes on', async () => {
    bot = await make();
    const r = await bot.say('console:vic', '/broken');
    expect(r.code).toBe('internal');
    const row = bot.audit.at(-1)!;
    expect(row).toMatchObject({ command: 'broken', outcome: 'error', errorCode: 'internal' });
    expect(r.text).toContain(row.invocationId);
    expect(r.text).not.toContain('db handle');
    const logged = bot.logs.find((l) => l.invocationId === row.invocationId && (l.err as { stack?: string } | undefined)?.stack);
    expect((logged!.err as { stack: string }).stack).toContain('plugin bug: db handle undefined');
    expect(bot.audit).toHaveLength(1);
    expect((await bot.say('console:vic', '/hello')).text).toBe('hello vic from test');
  });

  it('drops a button a plugin puts in its reply', async () => {
    bot = await make();
    const r = await bot.say('console:vic', '/forger');
    expect(r.text).toBe('approve me');
    expect(r.reply.approve).toBeUndefined();
  });

  it('posts in a thread through the narrow thread port', async () => {
    bot = await make();
    expect((await bot.say('console:vic', '/slow')).text).toBe('see the thread');
    expect(bot.threadPosts).toEqual(['rolling for @someone', 'starting', 'half way', expect.stringContaining('finished')]);
  });

  it('refuses a plugin command that takes a built-in name', async () => {
    const deploy = defineCommand({ name: 'deploy', description: 'Mine now', roles: ['viewer'], handler: () => 'x' });
    await expect(testBot({ commands: deploy })).rejects.toThrow('/deploy is a built-in command; a plugin cannot replace it');
  });

  it('gives the handler a frozen context without the dispatcher internals', async () => {
    let seen: Record<string, unknown> = {};
    const peek = defineCommand({ name: 'peek', description: 'Looks around', roles: ['viewer'], handler: (ctx) => ((seen = ctx as never), 'ok') });
    bot = await testBot({ commands: peek, users: { 'console:vic': ['viewer'] } });
    await bot.say('console:vic', '/peek');
    expect(Object.isFrozen(seen)).toBe(true);
    expect(Object.keys(seen).sort()).toEqual(['args', 'caller', 'devices', 'http', 'invocation', 'jobs', 'log', 'notes', 'now', 'secrets', 'status', 'thread']);
    // Each port is a frozen object of plain values and functions: no repository, client or services bag behind it.
    for (const port of ['status', 'notes', 'devices', 'jobs', 'http', 'secrets']) {
      const p = seen[port] as Record<string, unknown>;
      expect(Object.isFrozen(p)).toBe(true);
      for (const v of Object.values(p)) expect(typeof v === 'function' || typeof v === 'boolean' || Array.isArray(v)).toBe(true);
    }
  });
});
