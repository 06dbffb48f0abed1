import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import type { Role } from '../../src/words/roles.js';
import { defineCommand, type ArgSpec } from '../../src/core/define-command.js';
import { reply } from '../../src/core/reply.js';
import { Registry } from '../../src/core/registry.js';
import { freePort } from '../helpers/agent-fixture.js';
import { ADMIN, TestAdapter, users } from '../helpers/test-adapter.js';

/** A command whose metadata or hooks throw once armed: each pipeline step can be made to fail. */
function fragile() {
  const armed = { roles: false, args: false, confirm: false, handler: false };
  const arg = {
    name: 'x',
    type: 'string',
    description: 'x',
    get choices(): readonly string[] | undefined {
      if (armed.args) throw new TypeError('choices exploded');
      return undefined;
    },
  } satisfies ArgSpec;
  const def = defineCommand({
    name: 'fragile',
    description: 'fails where told',
    usage: '/fragile [x]',
    examples: [],
    args: [arg],
    get roles(): readonly Role[] {
      if (armed.roles) throw new TypeError('roles exploded');
      return ['viewer'];
    },
    sideEffects: false,
    confirm() {
      if (armed.confirm) throw new TypeError('confirm exploded');
      return undefined;
    },
    handler() {
      if (armed.handler) throw new TypeError('handler exploded');
      return reply('fine');
    },
  });
  return { def, armed };
}

async function bot() {
  const f = fragile();
  const t = await TestAdapter.create({
    config: { access: { users: users({ [ADMIN]: ['admin'], 'console:viewer': ['viewer'] }) } },
    commands: [...commands, f.def],
  });
  return { t, armed: f.armed };
}

const INTERNAL = /^something went wrong on our side \(ref [0-9a-f-]{36}\)$/;

describe('a step that throws still ends in one reply and one audit row', () => {
  it('a definition whose roles throw fails at startup: the registry reads each target once', async () => {
    const f = fragile();
    f.armed.roles = true;
    expect(() => new Registry([f.def])).toThrow('roles exploded');
  });

  for (const step of ['args', 'confirm', 'handler'] as const) {
    it(`when ${step} throws`, async () => {
      const { t, armed } = await bot();
      expect(await t.text('console:viewer', '/fragile')).toBe('fine');
      armed[step] = true;
      const [r] = await t.say('console:viewer', '/fragile x');
      expect(r).toMatchObject({ code: 'internal', visibility: 'ephemeral' });
      expect(r?.text).toMatch(INTERNAL);
      expect(t.audit.records).toHaveLength(2);
      expect(t.audit.records[1]).toMatchObject({ outcome: 'error', errorCode: 'internal' });
    });
  }

  it('when the access check throws, it fails closed and audits a denial', async () => {
    const { t } = await bot();
    t.app.access.decide = () => {
      throw new TypeError('decide exploded');
    };
    const [r] = await t.say('console:viewer', '/status');
    expect(r?.text).toMatch(INTERNAL);
    expect(t.audit.records).toEqual([expect.objectContaining({ command: 'status', decision: 'deny', outcome: 'error', errorCode: 'internal' })]);
  });

  it('when building the refusal throws', async () => {
    const { t } = await bot();
    // A decision whose `needed` is not a list makes refusal() throw, as an inherited override once did.
    t.app.access.decide = () => ({ allow: false, reason: 'missing_role', needed: null as unknown as Role[] });
    const [r] = await t.say('console:nobody', '/status');
    expect(r?.code).toBe('internal');
    expect(t.audit.records).toEqual([expect.objectContaining({ decision: 'deny', outcome: 'error' })]);
  });

  it('when the audit sink throws, the caller still gets the reply', async () => {
    const { t } = await bot();
    t.audit.write = () => {
      throw new Error('disk full');
    };
    expect(await t.text(ADMIN, '/fragile')).toBe('fine');
  });
});

describe('a dependency that is down is `unavailable`, never an internal error', () => {
  it('a connection refused that no service mapped still says what happened and that it may not have finished', async () => {
    const port = await freePort();
    const callsOut = defineCommand({
      name: 'callsout',
      description: 'asks a service that is not running',
      usage: '/callsout',
      examples: [],
      roles: ['viewer'],
      sideEffects: false,
      async handler() {
        await fetch(`http://127.0.0.1:${port}/`);
        return reply('unreachable');
      },
    });
    const t = await TestAdapter.create({ config: { access: { users: users({ 'console:viewer': ['viewer'] }) } }, commands: [...commands, callsOut] });
    const [r] = await t.say('console:viewer', '/callsout');
    expect(r?.code).toBe('unavailable');
    expect(r?.text).toMatch(/^a service this command needs did not answer \(ECONNREFUSED\); it may not have finished \(ref [0-9a-f-]{36}\)$/);
    expect(t.audit.records.at(-1)).toMatchObject({ outcome: 'error', errorCode: 'unavailable' });
  });
});
