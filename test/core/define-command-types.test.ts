import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineCommand } from '../../src/core/define-command.js';
import { reply } from '../../src/core/reply.js';
import { TestAdapter } from '../helpers/test-adapter.js';

/**
 * Type-level checks: `npx tsc -p tsconfig.json --noEmit` fails if an `@ts-expect-error` below stops
 * being an error (a wrong use compiles) or an `expectTypeOf` no longer holds. The runtime part shows
 * that the parser hands the handler exactly these types.
 */
const seen: unknown[] = [];

const typed = defineCommand({
  name: 'typed',
  description: 'd',
  usage: '/typed …',
  examples: [],
  roles: ['viewer'],
  sideEffects: false,
  defaultSubcommand: 'go',
  subcommands: {
    go: {
      description: 'd',
      usage: '/typed go <image> [n] [--fast] [--mode=a|b]',
      args: [
        { name: 'image', type: 'string', description: 'd', required: true },
        { name: 'n', type: 'integer', description: 'd', default: 3 },
        { name: 'fast', type: 'boolean', description: 'd', flag: true },
        { name: 'mode', type: 'string', description: 'd', flag: true, choices: ['a', 'b'] },
      ],
      roles: ['viewer'],
      sideEffects: false,
      handler(ctx) {
        expectTypeOf(ctx.args.image).toEqualTypeOf<string>();
        expectTypeOf(ctx.args.n).toEqualTypeOf<number>();
        expectTypeOf(ctx.args.fast).toEqualTypeOf<boolean | undefined>();
        expectTypeOf(ctx.args.mode).toEqualTypeOf<'a' | 'b' | undefined>();
        // @ts-expect-error no argument of that name
        void ctx.args.imag;
        // @ts-expect-error an optional argument may be missing
        const mode: string = ctx.args.mode;
        // @ts-expect-error an integer is not a string
        const n: string = ctx.args.n;
        seen.push({ image: ctx.args.image, n: ctx.args.n, fast: ctx.args.fast, mode, wrong: n });
        return reply(ctx.args.image.toUpperCase());
      },
    },
    none: {
      description: 'd',
      usage: '/typed none',
      roles: ['viewer'],
      sideEffects: false,
      handler(ctx) {
        expectTypeOf(ctx.args).toEqualTypeOf<Record<never, never>>();
        // @ts-expect-error a subcommand without args has none
        void ctx.args.image;
        return reply('none');
      },
    },
  },
});

defineCommand({
  name: 'flat',
  description: 'd',
  usage: '/flat [text]',
  examples: [],
  args: [{ name: 'text', type: 'text', description: 'd' }],
  roles: ['viewer'],
  sideEffects: false,
  handler(ctx) {
    expectTypeOf(ctx.args.text).toEqualTypeOf<string | undefined>();
    // @ts-expect-error may be missing
    return reply(ctx.args.text.trim());
  },
});

describe('typed arguments', () => {
  it('the handler gets the values its types promise', async () => {
    const t = await TestAdapter.create({ config: { access: { users: [{ key: 'console:v', roles: ['viewer'] }] } }, commands: [typed] });
    expect(await t.text('console:v', '/typed go disk.iso --fast --mode=b')).toBe('DISK.ISO');
    expect(seen).toEqual([{ image: 'disk.iso', n: 3, fast: true, mode: 'b', wrong: 3 }]);
  });
});
