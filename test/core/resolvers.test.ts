import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { commands } from '../../commands/index.js';
import type { ArgSpec } from '../../src/core/arg-spec.js';
import { UserError } from '../../src/core/errors.js';
import { parseText, parseValues } from '../../src/core/parse.js';
import { Registry } from '../../src/core/registry.js';
import { RESOLVERS, type ArgType, type ResolveContext } from '../../src/core/resolvers.js';
import { defineCommand } from '../../src/core/define-command.js';
import { reply } from '../../src/core/reply.js';
import { TestAdapter } from '../helpers/test-adapter.js';
import { applicationCommands } from '../../src/adapters/discord/commands-json.js';
import { AGENT_NAME, CONFIRM_CODE, DRIVE_REF, IMAGE_NAME, JOB_ID, PRINCIPAL_KEY, SCHEDULE_NAME, TARGET_NAME } from '../../src/words/names.js';

const spec = (type: ArgType, extra: Partial<ArgSpec> = {}): ArgSpec => ({ name: 'x', type, description: 'x', ...extra });
const fromSlack: ResolveContext = { platform: 'slack', principalKey: 'slack:T1:UADA', command: 'access' };
const fromDiscord: ResolveContext = { platform: 'discord', principalKey: 'discord:80351110224678912', command: 'access' };

/** The resolver's value, or its message; anything but a UserError fails the test. */
function read(type: ArgType, text: string, ctx?: ResolveContext): unknown {
  try {
    return RESOLVERS[type].fromText(spec(type), text, ctx);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return { error: e.message, code: e.code };
  }
}

const WORDS: [ArgType, RegExp][] = [
  ['image', IMAGE_NAME],
  ['drive', DRIVE_REF],
  ['job', JOB_ID],
  ['agent', AGENT_NAME],
  ['target', TARGET_NAME],
  ['schedule', SCHEDULE_NAME],
  ['code', CONFIRM_CODE],
];

describe('word resolvers: one pattern per word', () => {
  it.each(WORDS)('%s takes exactly what its pattern allows, unchanged, and refuses the rest with one usage message', (type, pattern) => {
    fc.assert(
      fc.property(fc.stringMatching(pattern), (good) => {
        expect(read(type, good)).toBe(good);
      }),
    );
    const messages = new Set<string>();
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const r = read(type, text);
        if (typeof r === 'string') expect(pattern.test(r)).toBe(true);
        else {
          expect(r).toMatchObject({ code: 'usage', error: expect.stringMatching(/^x /) });
          messages.add((r as { error: string }).error.replace(/\(\d+ characters/, '(N characters'));
        }
      }),
    );
    // Empty, too long, or not the word: never a message made from the input.
    expect(messages.size).toBeLessThanOrEqual(3);
  });

  it('a word brings its own limit: a command cannot give it another', () => {
    const image = { name: 'image', type: 'image', description: 'd', maxLength: 10 } as const;
    expect(() => defineCommand({ name: 'x', description: 'd', examples: [], args: [image], roles: ['viewer'], sideEffects: false, handler: () => reply('x') })).toThrow(
      'command x: argument image takes its length from its type (image)',
    );
  });

  it('/eject takes the same drive shape as /burn', () => {
    const registry = new Registry(commands);
    const burn = registry.targets().find((t) => t.path === 'burn start')!.args.find((a) => a.name === 'drive')!;
    const eject = registry.targets().find((t) => t.path === 'eject')!.args.find((a) => a.name === 'drive')!;
    fc.assert(
      fc.property(fc.oneof(fc.stringMatching(DRIVE_REF), fc.string({ maxLength: 120 }), fc.constantFrom('a1/dvd2', 'a/b/c', '-x', 'dvd/')), (text) => {
        const one = (s: ArgSpec) => {
          try {
            return parseText([s], JSON.stringify(text));
          } catch (e) {
            return (e as Error).message;
          }
        };
        expect(one(eject)).toEqual(one(burn));
      }),
    );
    expect(parseText([eject], 'a1/dvd2')).toEqual({ drive: 'a1/dvd2' });
    expect(() => parseText([eject], 'a/b/c')).toThrow(/^drive must be a drive name/);
  });
});

describe('typed resolvers', () => {
  it('duration gives milliseconds, held to the spec bounds', () => {
    expect(read('duration', '2h')).toBe(7_200_000);
    expect(read('duration', '90s')).toBe(90_000);
    expect(read('duration', 'forever')).toEqual({ code: 'usage', error: 'x must be a whole number and a unit (ms, s, m, h or d), such as 90s, 30m, 2h or 1d' });
    expect(RESOLVERS.duration.fromText.bind(null, spec('duration', { min: 60_000 }), '30s')).toThrow('x must be at least 1m');
  });

  it('integer and boolean read as numbers and booleans', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), (n) => {
        expect(RESOLVERS.integer.fromText(spec('integer', { min: 1, max: 50 }), String(n))).toBe(n);
      }),
    );
    expect(parseValues([spec('boolean')], { x: 'true' })).toEqual({ x: true });
  });

  it('principal: a key as it is; a mention on its own platform, in the caller’s workspace', () => {
    fc.assert(
      fc.property(fc.stringMatching(PRINCIPAL_KEY), (key) => {
        fc.pre(key.trim() === key && key.length <= 140);
        expect(read('principal', key, fromSlack)).toBe(key);
      }),
    );
    expect(read('principal', '<@U0BOB|bob>', fromSlack)).toBe('slack:T1:U0BOB');
    expect(read('principal', '<@80351110224678913>', fromDiscord)).toBe('discord:80351110224678913');
    // A Discord mention typed into Slack names nobody there.
    expect(read('principal', '<@80351110224678913>', fromSlack)).toMatchObject({ code: 'bad_input', error: expect.stringMatching(/^name the user with a mention/) });
    expect(read('principal', 'bob')).toMatchObject({ code: 'bad_input' });
  });

  it('principal: Discord’s user picker sends an id, which is that Discord user', () => {
    expect(parseValues([spec('principal')], { x: '80351110224678913' }, fromDiscord)).toEqual({ x: 'discord:80351110224678913' });
    expect(() => parseValues([spec('principal')], { x: '80351110224678913' }, fromSlack)).toThrow(/^name the user/);
  });

  it('ref: the size only; the target’s own pattern is the deploy service’s check', () => {
    expect(read('ref', 'main\nid')).toBe('main\nid');
    expect(read('ref', 'a'.repeat(201))).toMatchObject({ code: 'usage', error: 'x is too long (201 characters, at most 200)' });
  });
});

describe('platforms are told by the same resolvers', () => {
  const json = applicationCommands(commands);
  const option = (command: string, sub: string, name: string) => {
    const c = json.find((x) => x.name === command)!;
    const s = c.options!.find((o) => o.name === sub) as { options: { name: string; type: number; max_length?: number }[] };
    return s.options.find((o) => o.name === name)!;
  };

  it('Discord: a principal is a user option, a duration a string as long as the grammar allows, a word its own limit', () => {
    expect(option('access', 'grant', 'user')).toMatchObject({ type: 6 });
    expect(option('access', 'grant', 'duration')).toMatchObject({ type: 3, max_length: 9 });
    expect(option('burn', 'start', 'image')).toMatchObject({ type: 3, max_length: 132 });
    expect(option('burn', 'cancel', 'job')).toMatchObject({ type: 3, max_length: 128 });
  });

  it('usage lines (and so /help and the Slack usage hint) come from the specs', () => {
    const registry = new Registry(commands);
    const usage = (path: string) => registry.targets().find((t) => t.path === path)!.usage;
    expect(usage('burn start')).toBe('/burn <image.iso> [drive] [--no-verify]');
    expect(usage('access grant')).toBe('/access grant <user> <role> <duration> [reason]');
    expect(registry.get('access')!.mentions).toBe(true);
    expect(registry.get('deploy')!.mentions).toBe(false);
  });
});

describe('handlers read what the resolvers give, with no cast', () => {
  it('a duration in milliseconds, a principal key, a drive as typed', async () => {
    const got: unknown[] = [];
    const words = defineCommand({
      name: 'words',
      description: 'd',
      examples: [],
      args: [
        { name: 'who', type: 'principal', description: 'd', required: true },
        { name: 'for', type: 'duration', description: 'd', required: true },
        { name: 'drive', type: 'drive', description: 'd' },
      ],
      roles: ['viewer'],
      sideEffects: false,
      handler(ctx) {
        expectTypeOf(ctx.args.for).toEqualTypeOf<number>();
        expectTypeOf(ctx.args.who).toEqualTypeOf<string>();
        expectTypeOf(ctx.args.drive).toEqualTypeOf<string | undefined>();
        got.push(ctx.args);
        return reply(`${ctx.args.who} for ${ctx.args.for / 1000}s`);
      },
    });
    expect(words.usage).toBe('/words <who> <duration> [drive]');
    const t = await TestAdapter.create({ config: { access: { users: [{ key: 'console:v', roles: ['viewer'] }] } }, commands: [words] });
    expect(await t.text('console:v', '/words console:ann 90s a1/dvd2')).toBe('console:ann for 90s');
    expect(got).toEqual([{ who: 'console:ann', for: 90_000, drive: 'a1/dvd2' }]);
    expect(await t.text('console:v', '/words console:ann 90')).toBe('for must be a whole number and a unit (ms, s, m, h or d), such as 90s, 30m, 2h or 1d. Usage: /words <who> <duration> [drive]');
    await t.app.stop();
  });
});
