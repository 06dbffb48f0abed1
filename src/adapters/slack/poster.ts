import type { ChannelPoster, Post } from '../../schedules/types.js';
import { userIdOf } from './names.js';
import type { PacedSlackChat } from './paced-chat.js';
import { mentionOf, toSlackMessage } from './render.js';

/**
 * Schedule, alert and job-failure posts in Slack: one chat.postMessage to the channel with the bot
 * token, paced by the workspace's budget. Mentions are written the way the bot writes its own (`<@U…>`), so they ping; the
 * command's text is escaped like every reply, so it cannot ping anyone.
 */
export class SlackPoster implements ChannelPoster {
  readonly platform = 'slack';

  constructor(
    private readonly chat: PacedSlackChat,
    private readonly rename: (text: string) => string = (t) => t,
  ) {}

  async post(channel: string, p: Post): Promise<void> {
    const ids = p.mentions.map(userIdOf).filter((id): id is string => id !== undefined);
    const text = ids.length ? `${p.reply.text} ${ids.map(mentionOf).join(' ')}` : p.reply.text;
    const msg = toSlackMessage({ ...p.reply, text }, this.rename);
    await this.chat.postMessage({ channel, text: msg.text });
  }
}
