import { describe, expect, it } from 'vitest';
import type { Invocation } from '../../src/core/define-command.js';
import { RESOLVERS } from '../../src/core/resolvers.js';

const fromSlack = { platform: 'slack', command: 'access', principal: { key: 'slack:T1:UADMIN', name: 'ada' } } as Invocation;
// /access grant reads its user with the principal resolver, as every command that names a user does.
const grantee = (text: string, inv: Invocation) =>
  RESOLVERS.principal.fromText({ name: 'user' }, text, { platform: inv.platform, principalKey: inv.principal.key, command: inv.command });

describe('whom /access grant names', () => {
  it('takes the mention Slack sends for /access (should_escape) in the granter’s workspace', () => {
    expect(grantee('<@U0BOB|bob>', fromSlack)).toBe('slack:T1:U0BOB');
    expect(grantee('slack:T1:U0BOB', fromSlack)).toBe('slack:T1:U0BOB');
  });

  it('says why a plain @name cannot be used (it came through the umbrella command, unescaped)', () => {
    expect(() => grantee('@bob', fromSlack)).toThrow(/@bob reached me as plain text, not as a user: run \/access itself/);
  });
});
