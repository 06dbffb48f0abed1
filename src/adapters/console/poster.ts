import { replyToText } from '../../core/reply.js';
import type { ThreadRelay } from '../../relay/entry.js';
import { postMentions } from '../../schedules/mentions.js';
import type { ChannelPoster, Post } from '../../schedules/types.js';
import type { Screen } from './screen.js';

/** The relay topic on which console posts reach every open console. */
const CONSOLE_POSTS = 'console-posts';

/**
 * Schedule and alert posts on the console: printed like a reply, marked with the channel. A tick
 * (or a handed-off post) is taken by one process only, so the post is also broadcast to every
 * other open console (with Redis), which prints it the same way.
 */
export class ConsolePoster implements ChannelPoster {
  readonly platform = 'console';
  #stop: (() => void) | undefined;

  constructor(
    private readonly screen: Screen,
    private readonly relay?: Pick<ThreadRelay, 'broadcast' | 'listen'>,
  ) {}

  /** Shows the posts other consoles broadcast, from the moment this resolves. */
  async listen(): Promise<void> {
    this.#stop ??= await this.relay?.listen(CONSOLE_POSTS, (line) => this.screen.print(line));
  }

  async post(channel: string, p: Post): Promise<void> {
    // A console mention is the display name: for a configured key, its user part (console:alice → @alice).
    const mentions = postMentions(p).map((m) => `@${m.name}`).join(' ');
    const text = replyToText({ ...p.reply, text: mentions ? `${p.reply.text} ${mentions}` : p.reply.text });
    const line = `#${channel} ${text}`;
    this.screen.print(line);
    this.relay?.broadcast(CONSOLE_POSTS, line);
  }

  /** Stops showing other consoles' posts. */
  close(): void {
    this.#stop?.();
  }
}
