import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordBot, USERS, type DiscordBot } from '../../helpers/discord-bot.js';

let bot: DiscordBot;
beforeAll(async () => {
  bot = await startDiscordBot();
  // 50 long notes: `/note list 50` is about 16,000 characters, eight times what a Discord message takes.
  // The thread's posts are paced as Discord's limits ask (5 per 5 s per channel), hence the test's 30 s.
  for (let i = 1; i <= 50; i++)
    await bot.app.services.notes.add({ authorKey: `discord:${USERS.admin}`, authorName: 'alice', platform: 'discord', room: 'c', body: `note ${i} ${'rotated the backup key and checked the logs '.repeat(8)}end ${i}` });
});
afterAll(async () => bot.stop());

const joined = (texts: string[]) => texts.map((t) => t.replace(/^\d+\/\d+\n/, '')).join('\n');

describe('a reply longer than a Discord message', () => {
  it('/note list 50 goes as numbered messages: the first as the interaction response, the rest in a thread under it, nothing cut', async () => {
    const p = bot.double.sendInteraction({ command: 'note', userId: USERS.admin, userName: 'alice', options: [{ name: 'list', type: 1, options: [{ name: 'n', type: 4, value: 50 }] }] });
    const thread = await bot.double.waitFor(() => bot.double.threads[0]);
    const root = bot.double.original(p.token);
    expect(root?.id).toBe(thread.messageId);
    const n = Number(/^1\/(\d+)\n/.exec(root?.content ?? '')?.[1]);
    expect(n).toBeGreaterThanOrEqual(8);
    const rest = await bot.double.waitFor(() => bot.double.messagesIn(thread.id).length === n - 1 && bot.double.messagesIn(thread.id), 20_000);
    const texts = [root!.content, ...rest.map((m) => m.content)];
    texts.forEach((t, i) => {
      expect(t.length).toBeLessThanOrEqual(2000);
      expect(t.startsWith(`${i + 1}/${n}\n`)).toBe(true);
    });
    const all = joined(texts);
    for (let i = 1; i <= 50; i++) expect(all).toMatch(new RegExp(`^#\\d+ alice · .* — note ${i} rotated`, 'm'));
    for (const line of all.split('\n')) expect(line).toMatch(/^#\d+ alice · .*…$/);
    expect(thread.name.length).toBeLessThanOrEqual(100);
    expect(bot.double.violations).toEqual([]);
  }, 30_000);
});
