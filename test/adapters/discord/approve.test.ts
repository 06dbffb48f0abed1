import { describe, expect, it } from 'vitest';
import { startDiscordBot, USERS } from '../../helpers/discord-bot.js';
import { hookedBot } from '../../helpers/hooked-bot.js';
import { IDS } from '../../helpers/discord-payloads.js';

const DEPLOYERS = '1200000000000000011';
const MEMBER = '80351110224678966';

const t = hookedBot((hooks) =>
  startDiscordBot({
    mode: 'http',
    deploy: { targets: [{ name: 'prod', kind: 'webhook', url: hooks.url('/ok'), approvers: ['deployer'] }] },
    discordRoles: [{ guild: IDS.guild, role: DEPLOYERS, roles: ['deployer'] }],
  }),
);

/** A press of a message button, as Discord POSTs it, by a member holding `memberRoles`. */
function press(customId: string, userId: string, memberRoles: string[] = []) {
  const base = t.bot.double.interaction({ command: 'deploy', userId, memberRoles });
  return { ...base, type: 3, data: { custom_id: customId, component_type: 2 } };
}

describe('Discord approve button', () => {
  it('shows the held request in the channel with an Approve button; the requester cannot approve it, another deployer can', async () => {
    const options = [{ name: 'run', type: 1, options: [{ name: 'target', type: 3, value: 'prod' }, { name: 'ref', type: 3, value: 'v9' }] }];
    const ask = await t.bot.post(t.bot.double.interaction({ command: 'deploy', options, userId: USERS.admin, userName: 'alice' }));
    const data = ask.json?.data as { content: string; flags?: number; components: { components: { custom_id: string; label: string }[] }[] };
    expect(data.flags).toBeUndefined();
    const button = data.components[0]!.components[0]!;
    expect(button).toMatchObject({ label: 'Approve', custom_id: expect.stringMatching(/^opsline_approve:[A-Z2-9]{6}$/) });
    const code = button.custom_id.split(':')[1]!;

    const own = await t.bot.post(press(button.custom_id, USERS.admin));
    expect(own.json).toMatchObject({ type: 4, data: { content: `request ${code} is your own; someone else must approve it. Nothing was run` } });
    const viewer = await t.bot.post(press(button.custom_id, USERS.viewer));
    expect(viewer.json).toMatchObject({ data: { content: expect.stringMatching(/^approving \/deploy needs the deployer role/) } });
    expect(t.hooks.requests).toHaveLength(0);

    const approved = await t.bot.post(press(button.custom_id, MEMBER, [DEPLOYERS]));
    expect(approved.status).toBe(200);
    await t.bot.double.waitFor(() => t.hooks.requests.length === 1 || undefined, 10_000);
    const row = t.bot.audit.records.find((r) => r.command === 'approve' && r.outcome === 'ok');
    expect(row).toMatchObject({ principalKey: `discord:${MEMBER}`, requesterKey: `discord:${USERS.admin}`, roleSource: `discord-role:${DEPLOYERS}`, jobId: expect.stringMatching(/^d/) });
    expect(t.bot.audit.records.filter((r) => r.command === 'approve')).toHaveLength(3);
  });
});
