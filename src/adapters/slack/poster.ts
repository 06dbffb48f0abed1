import type { ChannelPoster, Post } from '../../schedules/types.js';
import type { PacedSlackChat } from './paced-chat.js';
import { postMentions } from '../../schedules/mentions.js';
import { slackMention, toSlackMessage } from './render.js';

/**
 * Schedule, alert and job-failure posts in Slack: one chat.postMessage to the channel with the bot
 * token, paced by the workspace's budget. Mentions are typed parts rendered as `<@U…>`, so they ping; the
 * command's text is escaped like every reply, so it cannot ping anyone.
 */
export class SlackPoster implements ChannelPoster {
  readonly platform = 'slack';

  constructor(
    private readonly chat: PacedSlackChat,
    private readonly rename: (text: string) => string = (t) => t,
  ) {}

  async post(channel: string, p: Post): Promise<void> {
    const msg = toSlackMessage(p.reply, this.rename);
    const mentions = postMentions(p).map(slackMention);
    await this.chat.postMessage({ channel, text: [msg.text, ...mentions].join(' ') });
  }
}
