import { REST } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { PacedDiscordRest } from '../../../src/adapters/discord/paced-rest.js';
import { RateBudget } from '../../../src/services/budget/budget.js';
import type { ReservationStore } from '../../../src/services/budget/types.js';

describe('PacedDiscordRest', () => {
  it('paces a channel’s posts, edits and thread creation under keys of their own, and every call under the bot’s global key', async () => {
    const keys: string[] = [];
    const store: ReservationStore = { reserve: async (key) => (keys.push(key), 0), penalize: async () => {}, close: async () => {} };
    const paced = new PacedDiscordRest(new REST(), 'bot-token', { requestsPerSecond: 40, messagesPer5sPerChannel: 4 }, new RateBudget(store));
    await paced.turn('111', 'post');
    await paced.turn('111', 'edit');
    await paced.turn('111', 'thread');
    const bot = keys[1]!;
    expect(bot).toMatch(/^discord:[0-9a-f]{16}:global$/);
    // Discord keeps a bucket per route: a busy milestone queue must not hold up the live status's edits.
    expect(keys.filter((k) => k !== bot)).toEqual([`${bot.replace(':global', '')}:channel:111:post`, `${bot.replace(':global', '')}:channel:111:edit`, `${bot.replace(':global', '')}:channel:111:thread`]);
    expect(keys.filter((k) => k === bot)).toHaveLength(3);
    expect(keys.join(' ')).not.toContain('bot-token');
  });
});
