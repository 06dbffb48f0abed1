import { describe, expect, it } from 'vitest';
import { startDiscordBot, USERS } from '../../helpers/discord-bot.js';
import { hookedBot } from '../../helpers/hooked-bot.js';

const EPHEMERAL = 64;

const t = hookedBot((hooks) => startDiscordBot({ mode: 'http', deploy: { targets: [{ name: 'site', kind: 'webhook', url: hooks.url('/ok'), confirm: true }] } }));

/** A press of a message button, as Discord POSTs it: type 3 with the button's custom_id. */
function press(customId: string, userId: string) {
  const base = t.bot.double.interaction({ command: 'deploy', userId });
  return { ...base, type: 3, data: { custom_id: customId, component_type: 2 } };
}

describe('Discord confirm button', () => {
  it('asks with a Confirm component; a press by someone else runs nothing; the owner’s press runs the deploy', async () => {
    const options = [{ name: 'run', type: 1, options: [{ name: 'target', type: 3, value: 'site' }, { name: 'ref', type: 3, value: 'main' }] }];
    const ask = await t.bot.post(t.bot.double.interaction({ command: 'deploy', options, userId: USERS.admin, userName: 'alice' }));
    const data = ask.json?.data as { content: string; flags: number; components: { components: { custom_id: string; style: number }[] }[] };
    expect(ask.json?.type).toBe(4);
    expect(data.flags).toBe(EPHEMERAL);
    const button = data.components[0]!.components[0]!;
    expect(button).toMatchObject({ custom_id: expect.stringMatching(/^opsline_confirm:[A-Z2-9]{6}$/), style: 4 });
    const code = button.custom_id.split(':')[1]!;
    expect(t.bot.audit.records.at(-1)).toMatchObject({ command: 'deploy run', outcome: 'pending' });

    const foreign = await t.bot.post(press(button.custom_id, USERS.viewer));
    expect(foreign.json).toMatchObject({ type: 4, data: { flags: EPHEMERAL, content: `confirmation ${code} belongs to alice; only they can confirm it. Nothing was run` } });
    expect(t.bot.audit.records.at(-1)).toMatchObject({ command: 'confirm', principalKey: `discord:${USERS.viewer}`, errorCode: 'denied' });
    expect(t.hooks.requests).toHaveLength(0);

    const owner = await t.bot.post(press(button.custom_id, USERS.admin));
    expect(owner.status).toBe(200);
    await t.bot.double.waitFor(() => t.hooks.requests.length === 1 || undefined, 10_000);
    await t.bot.double.waitFor(() => [...t.bot.double.messages.values()].find((m) => m.content.startsWith(`<@${USERS.admin}> deploy of site main finished`)), 10_000);
    expect(t.bot.audit.records.find((r) => r.command === 'confirm' && r.outcome === 'ok')).toMatchObject({ jobId: expect.stringMatching(/^d/) });
  });

  it('ignores a component that is not a Confirm button', async () => {
    const r = await t.bot.post(press('something_else', USERS.admin));
    expect(r.status).toBe(400);
  });
});
