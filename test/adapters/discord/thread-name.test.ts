import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordBot, USERS, type DiscordBot } from '../../helpers/discord-bot.js';

let bot: DiscordBot;
beforeAll(async () => {
  bot = await startDiscordBot();
});
afterAll(async () => bot.stop());

describe('a job thread on Discord', () => {
  it('names the requester by display name in the thread name (no mention renders there) and mentions them in the root', async () => {
    bot.double.sendInteraction({
      command: 'deploy',
      userId: USERS.admin,
      userName: 'alice',
      options: [{ name: 'run', type: 1, options: [{ name: 'target', type: 3, value: 'site' }, { name: 'ref', type: 3, value: 'main' }] }],
    });
    const thread = await bot.double.waitFor(() => bot.double.threads[0]);
    expect(thread.name).toMatch(/^deploying site at main for @alice \(job d[a-z0-9]{6}\)$/);
    expect(bot.double.messages.get(thread.messageId)?.content).toMatch(new RegExp(`^deploying site at main for <@${USERS.admin}> \\(job d[a-z0-9]{6}\\)$`));
    expect(bot.double.violations).toEqual([]);
  });
});
