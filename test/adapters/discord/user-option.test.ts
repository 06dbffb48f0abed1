import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationCommands } from '../../../src/adapters/discord/commands-json.js';
import { startDiscordBot, USERS, type DiscordBot } from '../../helpers/discord-bot.js';

let bot: DiscordBot;
beforeAll(async () => {
  bot = await startDiscordBot({ mode: 'http' });
});
afterAll(async () => {
  await bot?.stop();
});

/** `/access grant` as Discord POSTs it when the user was picked with the user option. */
function grant(user: { type: number; value: string }, duration: string) {
  const options = [{ name: 'grant', type: 1, options: [{ name: 'user', ...user }, { name: 'role', type: 3, value: 'writer' }, { name: 'duration', type: 3, value: duration }] }];
  return bot.double.interaction({ command: 'access', options, userId: USERS.admin, userName: 'alice' });
}

describe('Discord options come from the resolvers', () => {
  it('registers /access grant with a user picker, and a picked user is that Discord user', async () => {
    const access = applicationCommands(bot.app.registry.all()).find((c) => c.name === 'access')!;
    const sub = access.options!.find((o) => o.name === 'grant') as { options: { name: string; type: number }[] };
    expect(sub.options.find((o) => o.name === 'user')?.type).toBe(6);

    const p = grant({ type: 6, value: USERS.viewer }, '90m');
    const r = await bot.post(p);
    // The grant is announced in the channel (the interaction's answer) before the caller is told its number.
    const content = (r.json as { data?: { content?: string } }).data?.content ?? (await bot.double.waitFor(() => bot.double.original(p.token)?.content));
    expect(content).toBe(`alice grants discord:${USERS.viewer} the writer role for 1h 30m`);
    // The grant is stored after the announcement: wait for its audit row, then read it.
    await bot.double.waitFor(() => bot.audit.records.find((r) => r.command === 'access grant'));
    expect(bot.audit.records.at(-1)).toMatchObject({ command: 'access grant', outcome: 'ok' });
    expect(bot.app.services.grants?.active()).toEqual([expect.objectContaining({ principalKey: `discord:${USERS.viewer}`, role: 'writer' })]);
  });

  it('refuses a duration outside the grammar with the resolver’s message, and grants nothing', async () => {
    const r = await bot.post(grant({ type: 6, value: USERS.viewer }, 'two hours'));
    expect(r.json).toMatchObject({ data: { content: 'duration must be a whole number and a unit (ms, s, m, h or d), such as 90s, 30m, 2h or 1d. Usage: /access grant <user> <role> <duration> [reason]' } });
    expect(bot.audit.records.at(-1)).toMatchObject({ command: 'access grant', decision: 'invalid' });
  });
});
