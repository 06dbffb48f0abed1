import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { defineCommand } from '../../src/core/define-command.js';
import { reply } from '../../src/core/reply.js';
import { Registry } from '../../src/core/registry.js';

const ok = () => reply('ok');
const simple = (name: string) => defineCommand({ name, description: 'd', usage: `/${name}`, examples: [], roles: ['viewer'], sideEffects: false, handler: ok });
const sub = { description: 'd', usage: '/x a', roles: ['viewer' as const], sideEffects: false, handler: ok };

describe('registry', () => {
  it('builds from the real command list', () => {
    const r = new Registry(commands);
    expect(r.all().map((c) => c.name)).toEqual(['help', 'whoami', 'status', 'note', 'burn', 'images', 'drives', 'eject', 'deploy', 'confirm', 'approve', 'access', 'jobs', 'audit', 'schedule', 'web']);
    expect(r.targets().map((t) => t.path)).toContain('note add');
    expect(r.targets().map((t) => t.path)).toEqual(expect.arrayContaining(['deploy run', 'deploy list', 'deploy lock', 'deploy unlock', 'confirm']));
    expect(r.targets().find((t) => t.path === 'deploy run')?.confirm).toBeTypeOf('function');
  });

  it('fails at startup on a duplicate name', () => {
    expect(() => new Registry([simple('a'), simple('b'), simple('a')])).toThrow('duplicate command name: a');
  });

  it('resolves subcommands, the default subcommand and errors', () => {
    const burn = defineCommand({
      name: 'burn',
      description: 'd',
      usage: '/burn …',
      examples: [],
      roles: ['operator'],
      sideEffects: true,
      defaultSubcommand: 'start',
      subcommands: { start: sub, status: sub },
    });
    const note = defineCommand({ name: 'note', description: 'd', usage: '/note …', examples: [], roles: ['viewer'], sideEffects: true, subcommands: { add: sub } });
    const r = new Registry([burn, note]);
    const res = (c: typeof burn, text: string, explicit?: string) => {
      const x = r.resolve(c, text, explicit);
      return 'error' in x ? x.error : `${x.target.path}|${x.rest}`;
    };
    expect(res(burn, 'status 12')).toBe('burn status| 12');
    expect(res(burn, 'image.iso dvd1')).toBe('burn start|image.iso dvd1');
    expect(res(note, 'delete 3')).toBe('unknown subcommand "delete"; one of: add');
    expect(res(note, '')).toBe('which one? add');
    expect(res(note, '', 'add')).toBe('note add|');
    expect(res(note, '', 'nope')).toBe('unknown subcommand "nope"; one of: add');
  });
});

describe('defineCommand', () => {
  it('refuses malformed definitions at load time', () => {
    expect(() => simple('Bad Name')).toThrow(/must match/);
    expect(() => defineCommand({ name: 'x', description: 'd', usage: '/x', examples: [], roles: [], sideEffects: false })).toThrow(/neither handler nor subcommands/);
    expect(() =>
      defineCommand({
        name: 'x',
        description: 'd',
        usage: '/x',
        examples: [],
        roles: [],
        sideEffects: false,
        handler: ok,
        args: [
          { name: 'rest', type: 'text', description: 'r' },
          { name: 'after', type: 'string', description: 'a' },
        ],
      }),
    ).toThrow(/must be the last positional/);
    expect(() =>
      defineCommand({ name: 'x', description: 'd', usage: '/x', examples: [], roles: [], sideEffects: false, defaultSubcommand: 'go', subcommands: { a: sub } }),
    ).toThrow(/default subcommand go/);
  });
});
