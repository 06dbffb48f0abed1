import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SlackGroupRoles } from '../../src/core/roles/slack-groups.js';

const P = { key: 'slack:T1:UGRP', name: 'gus' };
const TTL = 60_000;

/** A fetcher the test answers by hand, and a clock it moves: no waiting on real time. */
function setup() {
  let now = 1_000_000;
  const answers: ((members: readonly string[] | Error) => void)[] = [];
  const fetch = () => new Promise<readonly string[]>((resolve, reject) => answers.push((m) => (m instanceof Error ? reject(m) : resolve(m))));
  const groups = new SlackGroupRoles([{ team: 'T1', group: 'SOPS', roles: ['operator'] }], fetch, TTL, pino({ level: 'silent' }), () => now);
  return { groups, answers, tick: (ms: number) => (now += ms) };
}

describe('SlackGroupRoles', () => {
  it('a first decision waits for the membership; one fetch serves concurrent callers', async () => {
    const { groups, answers } = setup();
    expect(groups.rolesFor(P)).toEqual([]);
    const both = Promise.all([groups.prepare(P), groups.prepare(P)]);
    expect(answers).toHaveLength(1);
    answers[0]!(['UGRP']);
    await both;
    expect(groups.rolesFor(P)).toEqual([{ role: 'operator', source: 'slack-group:SOPS' }]);
    expect(groups.rolesFor({ key: 'slack:T2:UGRP', name: 'other team' })).toEqual([]);
    expect(groups.rolesFor({ key: 'discord:123456', name: 'not slack' })).toEqual([]);
  });

  it('when Slack cannot be asked, the last membership holds up to the TTL and then gives nothing', async () => {
    const { groups, answers, tick } = setup();
    const first = groups.prepare(P);
    answers[0]!(['UGRP']);
    await first;
    tick(TTL);
    expect(groups.rolesFor(P)).toHaveLength(1);
    expect(groups.unchecked(P)).toEqual([]);
    tick(1);
    const failing = groups.prepare(P);
    answers[1]!(new Error('ratelimited'));
    await failing;
    expect(groups.rolesFor(P)).toEqual([]);
    // The web view's banner: which roles could not be checked (docs/web.md, "Roles on the web").
    expect(groups.unchecked(P)).toEqual([{ role: 'operator', source: 'slack-group:SOPS' }]);
    expect(groups.unchecked({ key: 'slack:T2:UGRP', name: 'other team' })).toEqual([]);
  });
});
