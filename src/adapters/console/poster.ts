import { replyToText } from '../../core/reply.js';
import type { ChannelPoster, Post } from '../../schedules/types.js';
import type { Screen } from './screen.js';

/** Schedule and alert posts on the console: printed like a reply, marked with the channel. */
export class ConsolePoster implements ChannelPoster {
  readonly platform = 'console';

  constructor(private readonly screen: Screen) {}

  async post(channel: string, p: Post): Promise<void> {
    // A console mention is the user part of the key: console:alice → @alice.
    const mentions = p.mentions.map((k) => `@${k.slice(k.lastIndexOf(':') + 1)}`).join(' ');
    const text = replyToText({ ...p.reply, text: mentions ? `${p.reply.text} ${mentions}` : p.reply.text });
    this.screen.print(`#${channel} ${text}`);
  }
}
