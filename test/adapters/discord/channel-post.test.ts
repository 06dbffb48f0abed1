import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msg } from '../../../src/core/message.js';
import { startDiscordBot, USERS, type DiscordBot } from '../../helpers/discord-bot.js';
import { IDS } from '../../helpers/discord-payloads.js';

let bot: DiscordBot;
beforeAll(async () => {
  bot = await startDiscordBot({ mode: 'gateway' });
});
afterAll(async () => bot?.stop());

// A job whose replica died before its thread's root id was recorded is told in its channel (src/jobs/unqueued.ts).
describe('Discord: a message in a channel, outside any thread', () => {
  it('goes to the channel with the bot token, pinging only the requester (allowed_mentions: an @everyone in the text pings nobody)', async () => {
    const transport = bot.app.transports.local('discord');
    const id = await transport!.postChannel!(IDS.channel, { key: `discord:${USERS.admin}`, name: 'alice' }, msg`deploy of site v9 (job dgone01): not queued, @everyone`);
    const [call] = bot.double.callsTo('POST', new RegExp(`^/channels/${IDS.channel}/messages$`));
    expect(call?.body).toMatchObject({ content: `<@${USERS.admin}> deploy of site v9 (job dgone01): not queued, @everyone`, allowed_mentions: { parse: [], users: [USERS.admin] } });
    expect(id).toMatch(/^\d+$/);
  });
});
