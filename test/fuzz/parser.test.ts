import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { UserError } from '../../src/core/errors.js';
import { parseText, parseValues } from '../../src/core/parse.js';
import { Registry } from '../../src/core/registry.js';
import { tokenize } from '../../src/core/tokenize.js';
import { commandText, hostileJson, hostileString, PROTO_NAMES, runs } from '../helpers/fuzz-inputs.js';
import { TestAdapter, users } from '../helpers/test-adapter.js';

const registry = new Registry(commands);
const targets = registry.targets();
// Paths, not target objects, so a counterexample prints as `note add` rather than as the whole command.
const paths = targets.map((t) => t.path);
const target = (path: string) => targets.find((t) => t.path === path)!;
const words = [...new Set(targets.flatMap((t) => [t.command.name, ...(t.sub ? [t.sub] : []), ...t.args.map((a) => `--${a.name}`)]))];

/** A parse either gives typed, frozen arguments or a UserError a person can read; nothing else escapes. */
function parsesOrRefuses(fn: () => unknown): void {
  try {
    const out = fn();
    expect(Object.isFrozen(out)).toBe(true);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    expect(e.message.length).toBeGreaterThan(0);
    expect(e.message.length).toBeLessThan(300);
  }
}

describe('fuzz: the command parser', () => {
  it('tokenize returns words or a usage error for any text', () => {
    fc.assert(
      fc.property(commandText(words), (text) => {
        try {
          for (const t of tokenize(text)) expect(typeof t.value).toBe('string');
        } catch (e) {
          expect(e).toBeInstanceOf(UserError);
        }
      }),
      { numRuns: runs(40_000) },
    );
  }, 300_000);

  it('parseText over every command path gives frozen arguments that fit their specs, or a usage error', () => {
    fc.assert(
      fc.property(fc.constantFrom(...paths), commandText(words), (path, text) => {
        const specs = target(path).args;
        parsesOrRefuses(() => {
          const args = parseText(specs, text);
          for (const [name, value] of Object.entries(args)) {
            const spec = specs.find((s) => s.name === name);
            expect(spec, `argument ${name} has a spec`).toBeDefined();
            if (spec!.choices && typeof value === 'string') expect(spec!.choices).toContain(value);
            if (spec!.type === 'integer') expect(Number.isSafeInteger(value)).toBe(true);
          }
          return args;
        });
      }),
      { numRuns: runs(35_000) },
    );
  }, 300_000);

  it('parseValues (Discord options) refuses unknown and prototype-named option names and wrong types', () => {
    const values = fc.dictionary(fc.oneof(hostileString, fc.constantFrom(...PROTO_NAMES)), fc.oneof(hostileString, fc.integer(), fc.boolean(), hostileJson), { maxKeys: 4 });
    fc.assert(
      fc.property(fc.constantFrom(...paths), values, (path, raw) => {
        // JSON.parse makes `__proto__` an own key, as a platform payload would.
        const parsed = JSON.parse(JSON.stringify(raw)) as Record<string, never>;
        parsesOrRefuses(() => parseValues(target(path).args, parsed));
      }),
      { numRuns: runs(15_000) },
    );
  }, 300_000);
});

describe('fuzz: any command line through the real dispatcher', () => {
  it('answers every line with a specific reply, writes one audit row each and stores nothing for a viewer', async () => {
    const bot = await TestAdapter.create({ config: { access: { users: users({ 'console:vic': ['viewer'] }) } } });
    const before = (await bot.app.services.notes.list(50)).length;
    const names = [...registry.all().map((c) => c.name), ...PROTO_NAMES];
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('console:vic', 'console:nobody'), fc.oneof(fc.constantFrom(...names), hostileString), commandText(words), async (who, command, text) => {
        const [reply] = await bot.say(who, `/${command.replace(/\s/g, '')} ${text}`);
        n++;
        expect(reply!.text.length).toBeGreaterThan(0);
        // "internal" is the generic "something went wrong": a crash in disguise, not a specific reply.
        expect(reply!.code, reply!.text).not.toBe('internal');
        expect(bot.audit.records.length).toBe(n);
      }),
      { numRuns: runs(10_000) },
    );
    expect((await bot.app.services.notes.list(50)).length).toBe(before);
    await bot.app.stop();
  }, 300_000);
});
