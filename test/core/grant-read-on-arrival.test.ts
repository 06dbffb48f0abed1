import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { GrantRoles } from '../../src/core/grants/grant-roles.js';
import { MemoryGrantStore } from '../../src/core/grants/memory-store.js';
import type { GrantVersion } from '../../src/core/grants/types.js';

/** A version counter whose reads answer only when the test lets them, counting how many were sent. */
function heldVersion() {
  let value = 0;
  const pending: (() => void)[] = [];
  const version: GrantVersion = {
    read: () => new Promise<string>((resolve) => {
      const at = String(value);
      pending.push(() => resolve(at));
    }),
    bump: async () => void value++,
  };
  return { version, pending, answerAll: () => pending.splice(0).forEach((answer) => answer()) };
}

const who = { key: 'slack:T1:U1', name: 'u1' };
const log = pino({ level: 'silent' });

describe('the grant-version read begun on a command\'s arrival (docs/access.md, grants)', () => {
  it('a decision as of the arrival waits for that read instead of sending another', async () => {
    let t = 1_000;
    const v = heldVersion();
    const grants = new GrantRoles(new MemoryGrantStore(), v.version, 86_400_000, log, () => t);
    const warm = grants.prepare(who); // what the Slack adapter starts on arrival
    t = 1_005;
    const decision = grants.prepare(who, 1_000); // the dispatcher, as of the invocation's arrival
    expect(v.pending).toHaveLength(1);
    v.answerAll();
    await Promise.all([warm, decision]);
  });

  it('a read begun before the command arrived is not enough: a grant made in between counts', async () => {
    let t = 1_000;
    const v = heldVersion();
    const store = new MemoryGrantStore(() => new Date(t));
    const grants = new GrantRoles(store, v.version, 86_400_000, log, () => t);
    const earlier = grants.prepare(who);
    t = 1_001;
    await store.add({ principalKey: who.key, role: 'writer', grantedBy: 'slack:T1:UADMIN', reason: 'test', expiresAt: new Date(t + 60_000) });
    await v.version.bump();
    const decision = grants.prepare(who, 1_001);
    expect(v.pending).toHaveLength(2);
    v.answerAll();
    await Promise.all([earlier, decision]);
    expect(grants.rolesFor(who).map((h) => h.role)).toEqual(['writer']);
  });
});
