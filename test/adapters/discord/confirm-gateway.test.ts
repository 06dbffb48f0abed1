import { describe, expect, it } from 'vitest';
import { startDiscordBot, USERS } from '../../helpers/discord-bot.js';
import { IDS, messagePayload } from '../../helpers/discord-payloads.js';
import { hookedBot } from '../../helpers/hooked-bot.js';


const t = hookedBot((hooks) => startDiscordBot({ mode: 'gateway', deploy: { targets: [{ name: 'site', kind: 'webhook', url: hooks.url('/ok'), confirm: true }] } }));

async function callback(token: string): Promise<{ type: number; data?: Record<string, unknown> }> {
  const call = await t.bot.double.waitFor(() => t.bot.double.callsTo('POST', new RegExp(`/interactions/\\d+/${token}/callback$`))[0]);
  return call.body as { type: number; data?: Record<string, unknown> };
}

/** A button press over the gateway: INTERACTION_CREATE type 3 with the message that carries the button. */
function press(customId: string, userId: string) {
  const base = t.bot.double.interaction({ command: 'deploy', userId });
  const payload = { ...base, type: 3, message: messagePayload(t.bot.double.nextId(), IDS.channel, 'deploy site at main?'), data: { custom_id: customId, component_type: 2 } };
  t.bot.double.gateway.dispatch('INTERACTION_CREATE', payload);
  return payload;
}

describe('Discord confirm button over the gateway', () => {
  it('refuses a press by someone else and runs the deploy for its owner', async () => {
    const options = [{ name: 'run', type: 1, options: [{ name: 'target', type: 3, value: 'site' }, { name: 'ref', type: 3, value: 'main' }] }];
    const ask = t.bot.double.sendInteraction({ command: 'deploy', options, userId: USERS.admin, userName: 'alice' });
    const cb = await callback(ask.token);
    const customId = (cb.data?.components as { components: { custom_id: string }[] }[])[0]!.components[0]!.custom_id;
    expect(customId).toMatch(/^opsline_confirm:[A-Z2-9]{6}$/);

    const foreign = press(customId, USERS.viewer);
    expect((await callback(foreign.token)).data?.content).toMatch(/belongs to alice; only they can confirm it\. Nothing was run$/);
    expect(t.hooks.requests).toHaveLength(0);

    press(customId, USERS.admin);
    await t.bot.double.waitFor(() => t.hooks.requests.length === 1 || undefined, 10_000);
    await t.bot.double.waitFor(() => [...t.bot.double.messages.values()].find((m) => m.content.startsWith(`<@${USERS.admin}> deploy of site main finished`)), 10_000);
  });
});
