import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackGroupRoles } from '../../../src/core/roles/slack-groups.js';
import { startSlackBot, type SlackBot } from '../../helpers/slack-bot.js';

/** UGRP is on no allowlist: only the user group SOPS, mapped to `writer`, lets it add notes. */
const USER = { user_id: 'UGRP', user_name: 'gus' };
const TTL_MS = 400;
let bot: SlackBot;
let groups: SlackGroupRoles;

beforeAll(async () => {
  bot = await startSlackBot({
    slackGroups: [{ team: 'T1', group: 'SOPS', roles: ['writer'] }],
    slackGroupsTtl: `${TTL_MS}ms`,
    seed: (slack) => slack.groups.set('SOPS', ['UOTHER', 'UGRP']),
  });
  groups = bot.app.slackGroups!;
});
afterAll(async () => {
  await bot?.stop();
});

/** Resolves on the next membership fetch that `accept`s what Slack answered. */
async function refreshed(accept: (members: readonly string[]) => boolean): Promise<void> {
  for (;;) {
    const [, members] = (await once(groups, 'refreshed')) as [unknown, readonly string[]];
    if (accept(members)) return;
  }
}

const noteAdd = async (text: string) => (await bot.command(`/note add ${text}`, USER)).json?.text;

describe('access.slackGroups', () => {
  it('a member of a mapped group is allowed (membership from usergroups.users.list); the audit row names the group', async () => {
    expect(await noteAdd('from a group')).toMatch(/^note #\d+ saved/);
    expect(bot.slack.callsOf('usergroups.users.list')[0]?.body).toMatchObject({ usergroup: 'SOPS', team_id: 'T1' });
    expect(bot.slack.callsOf('usergroups.users.list')[0]?.auth).toBe('Bearer xoxb-test');
    const [row] = await bot.app.services.audit.recent(1);
    expect(row).toMatchObject({ principalKey: 'slack:T1:UGRP', command: 'note add', outcome: 'ok', roleSource: 'slack-group:SOPS' });
  });

  it('is refused once the group has changed and the change has been fetched', async () => {
    bot.slack.groups.set('SOPS', ['UOTHER']);
    await refreshed((m) => !m.includes('UGRP'));
    expect(await noteAdd('after leaving')).toBe('you are not on the allowlist. /note add needs the writer role; your key is slack:T1:UGRP (an admin can add it)');
  });

  it('when Slack cannot be asked, the last known membership holds for at most the TTL, then nothing', async () => {
    bot.slack.groups.set('SOPS', ['UGRP']);
    await refreshed((m) => m.includes('UGRP'));
    const lastKnown = Date.now();
    bot.slack.fail('usergroups.users.list', 'fatal_error');
    // Fetches keep failing; wait until one fails after the last good membership is a TTL old.
    for (;;) {
      await once(groups, 'failed');
      if (Date.now() - lastKnown > TTL_MS) break;
    }
    expect(await noteAdd('while slack is down')).toMatch(/needs the writer role/);
    bot.slack.heal('usergroups.users.list');
    await refreshed((m) => m.includes('UGRP'));
    expect(await noteAdd('slack is back')).toMatch(/^note #\d+ saved/);
  });
});
