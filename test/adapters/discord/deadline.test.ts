import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordBot, USERS, type DiscordBot } from '../../helpers/discord-bot.js';
import { IDS } from '../../helpers/discord-payloads.js';

const EPHEMERAL = 64;

/** `/slow` answers after 300 ms; the adapter defers at 50 ms, standing in for Discord's 3 s deadline. */
describe('discord deadlines and allowlists', () => {
  let bot: DiscordBot;
  beforeAll(async () => {
    bot = await startDiscordBot({ mode: 'gateway', deferAfterMs: 50, slowMs: 300, channels: [IDS.channel] });
  });
  afterAll(async () => {
    await bot?.stop();
  });

  function routes(token: string): string[] {
    return bot.double.calls.filter((c) => c.route.includes(token)).map((c) => `${c.method} ${c.route.replace(token, 'TOKEN')}`);
  }

  it('defers a slow command in time, then edits the deferred reply in the channel', async () => {
    const p = bot.double.sendInteraction({ command: 'slow', userId: USERS.viewer });
    await bot.double.waitFor(() => bot.double.original(p.token)?.content === 'finally done');
    const [callback] = bot.double.callsTo('POST', /\/callback$/).filter((c) => c.route.includes(p.token));
    expect(callback?.body).toEqual({ type: 5 });
    expect(routes(p.token)).toEqual([`POST /interactions/${p.id}/TOKEN/callback`, `PATCH /webhooks/${IDS.application}/TOKEN/messages/@original`]);
  });

  it('keeps a slow ephemeral answer private after a public deferral', async () => {
    const p = bot.double.sendInteraction({ command: 'slow', options: [{ name: 'private', type: 5, value: true }], userId: USERS.viewer });
    await bot.double.waitFor(() => routes(p.token).some((r) => r.startsWith('DELETE')));
    expect(routes(p.token)).toEqual([
      `POST /interactions/${p.id}/TOKEN/callback`,
      `PATCH /webhooks/${IDS.application}/TOKEN/messages/@original`,
      `POST /webhooks/${IDS.application}/TOKEN`,
      `DELETE /webhooks/${IDS.application}/TOKEN/messages/@original`,
    ]);
    const followUp = bot.double.callsTo('POST', new RegExp(`^/webhooks/\\d+/${p.token}$`))[0];
    expect(followUp?.body).toMatchObject({ content: 'finally done', flags: EPHEMERAL });
  });

  it('suggests nothing outside discord.channels', async () => {
    const options = [{ name: 'run', type: 1, options: [{ name: 'target', type: 3, value: 's', focused: true }] }];
    const answer = async (channelId?: string) => {
      const p = bot.double.sendInteraction({ type: 4, command: 'deploy', options, userId: USERS.admin, ...(channelId ? { channelId } : {}) });
      const call = await bot.double.waitFor(() => bot.double.callsTo('POST', /\/callback$/).find((c) => c.route.includes(p.token)));
      return call.body as { data: { choices: unknown[] } };
    };
    expect((await answer()).data.choices.length).toBeGreaterThan(0);
    expect((await answer('1100000000000000077')).data.choices).toEqual([]);
  });

  it('refuses a channel outside discord.channels before dispatching, and audits it', async () => {
    const p = bot.double.sendInteraction({ command: 'status', userId: USERS.admin, channelId: '1100000000000000077' });
    const call = await bot.double.waitFor(() => bot.double.callsTo('POST', /\/callback$/).find((c) => c.route.includes(p.token)));
    expect(call.body).toEqual({ type: 4, data: { content: 'opsline is not enabled in this channel', flags: EPHEMERAL, allowed_mentions: { parse: [] } } });
    expect(bot.audit.records.find((r) => r.invocationId === p.id)).toMatchObject({ decision: 'deny', outcome: 'refused', room: '1100000000000000077' });
  });
});
