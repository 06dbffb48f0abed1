import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { Access, unknownAccessKeys } from '../../src/core/access.js';
import { ROLES, type Role } from '../../src/words/roles.js';
import { Registry } from '../../src/core/registry.js';
import { TestAdapter } from '../helpers/test-adapter.js';

/** What each command path needs, as README.md's command table says; admin may run everything. */
const NEEDS: Record<string, Role> = {
  help: 'viewer',
  whoami: 'viewer',
  status: 'viewer',
  'note add': 'writer',
  'note list': 'viewer',
  'note search': 'viewer',
  'burn start': 'operator',
  'burn status': 'viewer',
  'burn cancel': 'operator',
  'burn list': 'viewer',
  'burn watch': 'viewer',
  images: 'viewer',
  drives: 'viewer',
  eject: 'operator',
  'deploy run': 'deployer',
  'deploy list': 'viewer',
  'deploy lock': 'deployer',
  'deploy unlock': 'deployer',
  'deploy cancel': 'deployer',
  'deploy watch': 'viewer',
  confirm: 'viewer',
  approve: 'viewer',
  'access grant': 'admin',
  'access revoke': 'admin',
  'access list': 'admin',
  jobs: 'viewer',
  audit: 'admin',
  'schedule list': 'viewer',
  'schedule run': 'admin',
};

describe('access matrix', () => {
  const registry = new Registry(commands);
  const access = new Access({ users: ROLES.map((r) => ({ key: `console:${r}`, roles: [r] })) });
  const targets = registry.targets();

  it('covers every command path', () => {
    expect(targets.map((t) => t.path).sort()).toEqual(Object.keys(NEEDS).sort());
  });

  for (const role of ROLES) {
    for (const path of Object.keys(NEEDS)) {
      const need = NEEDS[path]!;
      const allowed = role === 'admin' || need === 'viewer' || need === role;
      it(`${role} ${allowed ? 'may' : 'may not'} run /${path}`, () => {
        const t = targets.find((x) => x.path === path)!;
        const d = access.decide(`console:${role}`, path, t.roles, 'room');
        expect(d.allow).toBe(allowed);
        if (!d.allow) expect(d).toMatchObject({ reason: 'missing_role', needed: [need] });
      });
    }
  }

  it('denies unknown principals everything, naming the role needed', () => {
    for (const t of targets) {
      const d = access.decide('slack:T1:UNKNOWN', t.path, t.roles, 'room');
      expect(d).toEqual({ allow: false, reason: 'unknown_principal', needed: t.roles });
    }
  });

  it('never matches on a display name or a similar key', () => {
    expect(access.decide('console:ADMIN', 'audit', ['admin']).allow).toBe(false);
    expect(access.decide('console:admin ', 'audit', ['admin']).allow).toBe(false);
    expect(access.decide('admin', 'audit', ['admin']).allow).toBe(false);
  });
});

describe('overrides and channels', () => {
  const access = new Access({
    users: [
      { key: 'console:w', roles: ['writer'] },
      { key: 'console:o', roles: ['operator'] },
      { key: 'console:a', roles: ['admin'] },
    ],
    commands: { status: ['operator'], 'note list': ['writer'] },
    channels: { note: ['C1'] },
  });

  it('applies per-command and per-subcommand role overrides', () => {
    expect(access.decide('console:w', 'status', ['viewer']).allow).toBe(false);
    expect(access.decide('console:o', 'status', ['viewer']).allow).toBe(true);
    expect(access.decide('console:o', 'note list', ['viewer'], 'C1').allow).toBe(false);
    expect(access.decide('console:w', 'note list', ['viewer'], 'C1').allow).toBe(true);
  });

  it('restricts commands with a channel allowlist, admins included', () => {
    expect(access.decide('console:w', 'note add', ['writer'], 'C2')).toMatchObject({ allow: false, reason: 'channel' });
    expect(access.decide('console:a', 'note add', ['writer'], 'C2')).toMatchObject({ allow: false, reason: 'channel' });
    expect(access.decide('console:w', 'note add', ['writer'], 'C1').allow).toBe(true);
  });
});

describe('override keys', () => {
  it('must name a command or subcommand exactly', () => {
    const paths = new Registry(commands).targets().map((t) => t.path);
    expect(unknownAccessKeys({ users: [], commands: { status: ['admin'], 'note add': ['admin'], note: ['writer'] }, channels: { burn: ['C1'] } }, paths)).toEqual([]);
    const issues = unknownAccessKeys({ users: [], commands: { Status: ['admin'], 'note delete': ['admin'] }, channels: { brun: ['C1'] } }, paths);
    expect(issues.map((i) => i.split(':')[0])).toEqual(['access.commands.Status', 'access.commands.note delete', 'access.channels.brun']);
    expect(issues[0]).toContain('no command or subcommand is called "Status"');
  });

  it('stop the bot from starting when mistyped', async () => {
    await expect(TestAdapter.create({ config: { access: { users: [], commands: { Status: ['admin'] } } } })).rejects.toThrow(/access\.commands\.Status: no command/);
  });

  it('include access.approvers: a mistyped one would leave a command without its second person', async () => {
    await expect(TestAdapter.create({ config: { access: { users: [], approvers: { 'deploy rn': ['deployer'] } } } })).rejects.toThrow(/access\.approvers\.deploy rn: no command/);
  });
});

describe('extra roles for per-target paths (deploy targets naming their own roles)', () => {
  const extra = new Map([['deploy run', ['operator' as const]]]);

  it('widen the definition\'s roles, but a configured override still wins', () => {
    const users = [{ key: 'console:ops', roles: ['operator' as const] }];
    expect(new Access({ users }, [], extra).decide('console:ops', 'deploy run', ['deployer'])).toMatchObject({ allow: true });
    expect(new Access({ users }, [], extra).needed('deploy lock', ['deployer'])).toEqual(['deployer']);
    expect(new Access({ users, commands: { deploy: ['admin'] } }, [], extra).needed('deploy run', ['deployer'])).toEqual(['admin']);
  });
});
