import { ChannelType, Routes, ThreadAutoArchiveDuration } from 'discord-api-types/v10';
import { createdId } from './rest.js';
import type { ChannelPoster, Post } from '../../schedules/types.js';
import type { PacedDiscordRest } from './paced-rest.js';
import { postMentions } from '../../schedules/mentions.js';
import { splitText } from '../../core/split.js';
import { discordMention, MAX_CONTENT, messageBody, replyContent, type MessageBody } from './render.js';
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
    // Rendered whole, then split: the mentions end the post, so they are on its last part.
    const content = [replyContent(p.reply), ...(ids.length ? postMentions(p).map(discordMention) : [])].join(' ');
    const [first, ...rest] = splitText(content, MAX_CONTENT).map((part) => messageBody(part, { users: ids }));
    const rootId = await this.#post(channel, first!);
    if (rest.length === 0) return;
    // A long post: the first part in the channel, the rest in a thread under it (or the channel, if none can start).
    await this.paced.turn(channel, 'thread');
    const thread = await this.paced.rest
      .post(Routes.threads(channel, rootId), { body: { name: 'the rest of this post', auto_archive_duration: ThreadAutoArchiveDuration.OneDay, type: ChannelType.PublicThread } })
      .then((t) => createdId(t, 'a thread'))
      .catch(() => channel);
    for (const body of rest) await this.#post(thread, body);
  }

  async #post(channel: string, body: MessageBody): Promise<string> {
    await this.paced.turn(channel, 'post');
    return createdId(await this.paced.rest.post(Routes.channelMessages(channel), { body }), 'a message');
  }
}
