import { describe, expect, it } from 'vitest';
import type { Invocation } from '../../src/core/define-command.js';
import { grantee } from '../../src/core/grants/grant-target.js';

const fromSlack = { platform: 'slack', principal: { key: 'slack:T1:UADMIN', name: 'ada' } } as Invocation;

describe('whom /access grant names', () => {
  it('takes the mention Slack sends for /access (should_escape) in the granter’s workspace', () => {
    expect(grantee('<@U0BOB|bob>', fromSlack)).toBe('slack:T1:U0BOB');
    expect(grantee('slack:T1:U0BOB', fromSlack)).toBe('slack:T1:U0BOB');
  });

  it('says why a plain @name cannot be used (it came through the umbrella command, unescaped)', () => {
    expect(() => grantee('@bob', fromSlack)).toThrow(/@bob reached me as plain text, not as a user: run \/access itself/);
  });
});
