import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readOptions } from '../../src/adapters/discord/options.js';
import { Access } from '../../src/core/access.js';
import { parseValues } from '../../src/core/parse.js';
import { DeviceError } from '../../src/services/devices/errors.js';
import { ADMIN, TestAdapter, users } from '../helpers/test-adapter.js';

/** Names every plain object answers to; as user text they must be unknown, never "found". */
const INHERITED = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__'];
const STRANGER = 'console:stranger';

async function bot() {
  return TestAdapter.create({
    config: {
      access: { users: users({ [ADMIN]: ['admin'] }), commands: { status: ['viewer'] }, channels: { note: ['room'] } },
      deploy: { targets: [{ name: 'site', kind: 'webhook', url: 'http://127.0.0.1:9/hook' }] },
    },
  });
}

/** One line, one reply, one audit row; the reply is a short, specific refusal, not a bug report. */
async function once(t: TestAdapter, who: string, line: string) {
  const before = t.audit.records.length;
  const [r] = await t.say(who, line);
  expect(t.audit.records.length - before).toBe(1);
  expect(r?.code).not.toBe('internal');
  expect(r?.text.length).toBeLessThan(300);
  return { reply: r, audit: t.audit.records.at(-1) };
}

describe('names that plain objects inherit', () => {
  // [line, admin's reply, stranger's reply, stranger's audit decision]
  const reproductions: [string, string, string, string][] = [
    // A stranger is told only that they are off the allowlist, not which subcommands exist.
    ['/note constructor', 'unknown subcommand "constructor"; one of: add, list, search', 'you are not on the allowlist; your key is', 'deny'],
    ['/burn __proto__', 'image must be an image name ending in .iso', 'you are not on the allowlist. /burn needs the operator role', 'deny'],
    ['/deploy toString', 'no deploy target toString; known: site', 'you are not on the allowlist. /deploy needs the deployer role', 'deny'],
  ];
  for (const [line, forAdmin, forStranger, decision] of reproductions) {
    it(`${line} is refused once, audited once, on and off the allowlist`, async () => {
      const t = await bot();
      const admin = await once(t, ADMIN, line);
      expect(admin.reply?.text).toContain(forAdmin);
      const stranger = await once(t, STRANGER, line);
      expect(stranger.reply?.text).toContain(forStranger);
      expect(stranger.audit).toMatchObject({ principalKey: STRANGER, decision, outcome: 'refused' });
    });
  }

  it('any command, any position: one reply, one audit row, never an internal error', async () => {
    const t = await bot();
    const lines = t.app.registry.targets().flatMap((target) => [`/${target.path}`, `/${target.command.name}`]);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...new Set(lines)), fc.constantFrom(...INHERITED), fc.constantFrom(ADMIN, STRANGER), async (prefix, name, who) => {
        await once(t, who, `${prefix} ${name}`);
      }),
      { numRuns: 150 },
    );
    for (const name of INHERITED) await once(t, ADMIN, `/${name}`);
  });

  it('Discord-style options: an inherited subcommand or option name is refused once, audited once', async () => {
    const t = await bot();
    for (const [command, subcommand] of [['note', '__proto__'], ['burn', 'constructor'], ['deploy', 'toString'], ['note', 'hasOwnProperty']] as const) {
      for (const who of [ADMIN, STRANGER]) {
        const before = t.audit.records.length;
        const principal = { key: who, name: 'x' };
        const values = Object.fromEntries([['__proto__', 'p'], ['constructor', 'c']]);
        const r = await t.app.dispatcher.dispatch({ id: randomUUID(), platform: 'test', principal, room: 'room', command, options: { subcommand, values }, receivedAt: new Date() }, t.transport.starter(principal));
        expect(r.text).toContain(who === ADMIN ? `unknown subcommand "${subcommand}"` : 'you are not on the allowlist');
        expect(t.audit.records.length - before).toBe(1);
      }
    }
    const principal = { key: ADMIN, name: 'x' };
    const values = Object.fromEntries([['constructor', '5']]);
    const r = await t.app.dispatcher.dispatch({ id: randomUUID(), platform: 'test', principal, room: 'room', command: 'note', options: { subcommand: 'list', values }, receivedAt: new Date() }, t.transport.starter(principal));
    expect(r).toMatchObject({ code: 'usage', text: expect.stringContaining('unknown option constructor') });
  });

  it('access overrides are looked up by own name only', () => {
    const access = new Access({ users: [{ key: ADMIN, roles: ['viewer'] }], commands: {}, channels: {} });
    for (const name of INHERITED) {
      expect(access.needed(name, ['writer'])).toEqual(['writer']);
      expect(access.decide(ADMIN, `${name} x`, ['viewer'], 'room')).toEqual({ allow: true, roles: ['viewer'], source: 'config' });
    }
  });

  it('a Discord option named like an inherited property is an unknown option, not a prototype', () => {
    const { values } = readOptions([{ name: '__proto__', type: 3, value: 'x' }, { name: 'constructor', type: 3, value: 'y' }]);
    expect(Object.keys(values)).toEqual(['__proto__', 'constructor']);
    expect(() => parseValues([{ name: 'n', type: 'string', description: 'n' }], values)).toThrow('unknown option __proto__');
  });

  it('an agent error code named like an inherited property maps to internal', () => {
    for (const name of INHERITED) expect(DeviceError.fromAgent('a1', name as never, 'm').code).toBe('internal');
  });
});
