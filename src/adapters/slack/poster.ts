import type { ChannelPoster, Post } from '../../schedules/types.js';
import type { PacedSlackChat } from './paced-chat.js';
import { postMentions } from '../../schedules/mentions.js';
import { MAX_TEXT, replyText, slackMention } from './render.js';
import { splitText } from '../../core/split.js';

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
    // Rendered whole, then split: the mentions end the post, so they are on its last part.
    const mentions = postMentions(p).map(slackMention);
    const [first = '', ...rest] = splitText([replyText(p.reply, this.rename), ...mentions].join(' '), MAX_TEXT);
    // A long post: the first part in the channel, the rest in a thread under it.
    const { ts } = await this.chat.postMessage({ channel, text: first });
    for (const part of rest) await this.chat.postMessage({ channel, thread_ts: ts, text: part });
  }
}
