import type { ChannelPoster, Post } from '../../src/schedules/types.js';

export interface RecordedPost {
  readonly channel: string;
  readonly text: string;
  readonly mentions: readonly string[];
}

/** A channel poster for any platform that records what it was asked to post. */
export class RecordingPoster implements ChannelPoster {
  readonly posts: RecordedPost[] = [];

  constructor(readonly platform = 'console') {}

  async post(channel: string, p: Post): Promise<void> {
    const pre = p.reply.pre === undefined ? '' : `\n${p.reply.pre}`;
    this.posts.push({ channel, text: p.reply.text + pre, mentions: p.mentions });
  }
}
