import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { buildPlugins } from '../../commands/plugins/check.js';
import { defineCommand } from '../../src/sdk/index.js';
import { startSlackBot, type SlackBot } from '../helpers/slack-bot.js';

// A plugin command over Slack's real endpoint (signed requests into Bolt): by its own name and through the umbrella.
const hello = defineCommand({ name: 'hello', description: 'Says hello', roles: ['viewer'], handler: (ctx) => `hello ${ctx.caller.name} on ${ctx.invocation.platform}` });
const secret = defineCommand({ name: 'rotate-keys', description: 'Rotates keys', roles: ['admin'], handler: () => 'rotated' });

let bot: SlackBot;
beforeAll(async () => {
  const built = buildPlugins([hello, secret].map((value) => ({ where: 'test', value })), { builtins: commands.map((c) => c.name), declared: [] }, pino({ level: 'silent' }));
  if (!built.ok) throw new Error(built.issues.join('\n'));
  bot = await startSlackBot({ extra: built.commands });
});
afterAll(() => bot.stop());

describe('a plugin command on Slack', () => {
  it('answers /hello and /opsline hello for a viewer', async () => {
    expect((await bot.command('/hello', { user_id: 'UVIEW', user_name: 'victor' })).json?.text).toBe('hello victor on slack');
    expect((await bot.command('/opsline hello', { user_id: 'UVIEW', user_name: 'victor' })).json?.text).toBe('hello victor on slack');
  });

  it('denies a viewer an admin plugin command and leaves it out of their help', async () => {
    const r = await bot.command('/opsline rotate-keys', { user_id: 'UVIEW', user_name: 'victor' });
    expect(r.json?.text).not.toBe('rotated');
    expect(r.json?.text).toMatch(/^\/rotate-keys needs the admin role/);
    const help = (await bot.command('/opsline', { user_id: 'UVIEW', user_name: 'victor' })).json?.text ?? '';
    expect(help).toContain('/hello');
    expect(help).not.toContain('rotate-keys');
  });
});
