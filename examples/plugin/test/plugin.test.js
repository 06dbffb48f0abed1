import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testBot } from 'opsline/testing';
import commands from '../index.js';

// A bot with the real dispatcher: allowlist, roles, /help, one audit row per invocation.
let bot;
beforeEach(async () => {
  bot = await testBot({ commands, users: { 'console:vic': ['viewer'], 'console:olga': ['operator'] } });
});
afterEach(() => bot.stop());

describe('the example plugin', () => {
  it('greets the caller by name', async () => {
    expect((await bot.say('console:vic', '/hello')).text).toBe('Hello, vic!');
    expect((await bot.say('console:vic', '/hello team')).text).toBe('Hello, team!');
  });

  it('rolls a die for an operator, in the channel', async () => {
    const r = await bot.say('console:olga', '/dice 6');
    expect(r.text).toMatch(/^olga rolled [1-6] \(d6\)$/);
    expect(r.reply.visibility).toBe('channel');
  });

  it('refuses a viewer, and a die with one side, with one audit row each', async () => {
    expect((await bot.say('console:vic', '/dice 6')).code).toBe('denied');
    const bad = await bot.say('console:olga', '/dice 1');
    expect(bad.code).toBe('usage');
    expect(bad.text).toContain('sides');
    expect(bot.audit.map((r) => [r.command, r.decision])).toEqual([['dice', 'deny'], ['dice', 'invalid']]);
  });

  it('notes as the caller through ctx.notes, in the notebook /note reads', async () => {
    expect((await bot.say('console:olga', '/remember rotated the backup key')).text).toBe('noted as #1 (kept in memory only)');
    expect((await bot.say('console:vic', '/note list')).text).toMatch(/^#1 olga · .* — rotated the backup key$/);
  });

  it('shows a viewer only what they may run in /help', async () => {
    const help = (await bot.say('console:vic', '/help')).text;
    expect(help).toContain('/hello');
    expect(help).not.toContain('/dice');
  });
});
