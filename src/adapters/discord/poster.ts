import { Routes } from 'discord.js';
import type { ChannelPoster, Post } from '../../schedules/types.js';
import type { PacedDiscordRest } from './paced-rest.js';
import { postMentions } from '../../schedules/mentions.js';
import { discordMention, replyBody } from './render.js';
import { discordUserId } from './transport.js';

/**
 * Schedule, alert and job-failure posts in Discord: a channel message with the bot token, paced. Only
 * the listed principals may be notified (allowed_mentions), whatever the command's text holds.
 */
export class DiscordPoster implements ChannelPoster {
  readonly platform = 'discord';

  constructor(private readonly paced: PacedDiscordRest) {}

  async post(channel: string, p: Post): Promise<void> {
    const ids = p.mentions.map(discordUserId).filter((id): id is string => id !== undefined);
    const body = replyBody({ ...p.reply, visibility: 'channel' });
    if (ids.length) {
      body.content = [body.content, ...postMentions(p).map(discordMention)].join(' ');
      body.allowed_mentions.users = ids;
    }
    await this.paced.turn(channel, 'post');
    await this.paced.rest.post(Routes.channelMessages(channel), { body });
  }
}
