import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { defineCommand } from '../../src/core/define-command.js';
import { UserError } from '../../src/core/errors.js';
import { reply } from '../../src/core/reply.js';
import { TestAdapter, users } from '../helpers/test-adapter.js';

const ME = 'console:me';
const YOU = 'console:you';

async function setup() {
  let runs = 0;
  let clock = Date.now();
  const danger = defineCommand({
    name: 'danger',
    description: 'd',
    usage: '/danger <what>',
    examples: [],
    args: [{ name: 'what', type: 'string', description: 'w', required: true }],
    roles: ['operator'],
    sideEffects: true,
    confirm: (ctx) => {
      if (ctx.args.what === 'bad') throw new UserError('bad_input', 'not that');
      return ctx.args.what === 'quick' ? undefined : `really ${ctx.args.what}?`;
    },
    handler: (ctx) => reply(`did ${ctx.args.what} (${++runs})`),
  });
  const bot = await TestAdapter.create({
    config: { access: { users: users({ [ME]: ['operator'], [YOU]: ['viewer'] }) } },
    commands: [...commands, danger],
    now: () => new Date(clock),
  });
  return { bot, runs: () => runs, tick: (ms: number) => (clock += ms) };
}

describe('the confirm step', () => {
  it('holds a request until its caller confirms it, once, and audits both', async () => {
    const { bot, runs } = await setup();
    const [ask] = await bot.say(ME, '/danger drop');
    expect(ask).toMatchObject({ text: expect.stringMatching(/^really drop\?\nConfirm within 60 s: \/confirm [A-Z2-9]{6}$/), visibility: 'ephemeral', confirm: { expiresInSec: 60 } });
    expect(runs()).toBe(0);
    const code = ask!.confirm!.code;
    expect(await bot.text(ME, `/confirm ${code}`)).toBe('did drop (1)');
    expect(await bot.text(ME, `/confirm ${code}`)).toMatch(/^no request is waiting for confirmation/);
    expect(runs()).toBe(1);
    const rows = bot.audit.records.map((r) => [r.command, r.outcome]);
    expect(rows).toEqual([['danger', 'pending'], ['confirm', 'ok'], ['confirm', 'error']]);
    await bot.app.stop();
  });

  it('runs at once when the check says so, and refuses before asking when it throws', async () => {
    const { bot, runs } = await setup();
    expect(await bot.text(ME, '/danger quick')).toBe('did quick (1)');
    expect((await bot.say(ME, '/danger bad'))[0]).toMatchObject({ code: 'bad_input', text: 'not that' });
    expect(runs()).toBe(1);
    await bot.app.stop();
  });

  it('runs nothing for someone else, for a caller without the role, or after 60 s', async () => {
    const { bot, runs, tick } = await setup();
    const code = (await bot.say(ME, '/danger drop'))[0]!.confirm!.code;
    expect((await bot.say(YOU, `/confirm ${code}`))[0]).toMatchObject({ code: 'denied', text: expect.stringMatching(/belongs to me/) });
    expect((await bot.say(YOU, '/danger drop'))[0]).toMatchObject({ code: 'denied' });
    tick(60_001);
    expect((await bot.say(ME, `/confirm ${code}`))[0]).toMatchObject({ code: 'timeout' });
    expect((await bot.say(ME, '/confirm nope')).at(0)?.code).toBe('usage');
    expect(runs()).toBe(0);
    await bot.app.stop();
  });

  it('runs nothing when a reload changed the command\'s arguments between the ask and the confirm', async () => {
    let runs = 0;
    const wipe = (pattern: RegExp) =>
      defineCommand({
        name: 'wipe',
        description: 'w',
        examples: [],
        args: [{ name: 'what', type: 'string', description: 'w', required: true, pattern }],
        roles: ['operator'],
        sideEffects: true,
        confirm: (ctx) => `wipe ${ctx.args.what}?`,
        handler: (ctx) => reply(`wiped ${ctx.args.what} (${++runs})`),
      });
    const bot = await TestAdapter.create({ config: { access: { users: users({ [ME]: ['operator'] }) } } });
    bot.app.registry.setDeclared([wipe(/^[a-z-]+$/)]);
    const code = (await bot.say(ME, '/wipe cache-all'))[0]!.confirm!.code;
    // A reload narrows the pattern: `cache-all` no longer fits, so the held request must not run.
    bot.app.registry.setDeclared([wipe(/^[a-z]+$/)]);
    expect((await bot.say(ME, `/confirm ${code}`))[0]).toMatchObject({ code: 'conflict', text: '/wipe changed since it was asked for (the config was reloaded); nothing was run. Ask again' });
    // A reload that leaves the arguments as they were (a new object, the same specs) keeps held requests.
    const again = (await bot.say(ME, '/wipe cache'))[0]!.confirm!.code;
    bot.app.registry.setDeclared([wipe(/^[a-z]+$/)]);
    expect(await bot.text(ME, `/confirm ${again}`)).toBe('wiped cache (1)');
    expect(runs).toBe(1);
    await bot.app.stop();
  });
});
