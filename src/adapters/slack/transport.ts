import type { webApi } from '@slack/bolt';
import { UserError } from '../../core/errors.js';
import type { Principal, ThreadRef, ThreadStarter, ThreadTransport } from '../../core/thread.js';
import { userIdOf } from './names.js';
import { clip, escapeText, mentionOf } from './render.js';

type WebClient = webApi.WebClient;

/** Errors that mean "the bot cannot post here", which the caller can fix by inviting it. */
const NOT_MEMBER = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

/**
 * Threads in Slack: the root is a channel message (chat.postMessage), replies carry its `ts` as
 * `thread_ts`, and the live status is one reply edited with chat.update. The Web API client honours
 * 429 Retry-After itself; LiveThread serialises edits, so a rate-limited edit delays, never drops, the
 * newest text.
 */
export class SlackTransport implements ThreadTransport {
  readonly platform = 'slack';

  constructor(
    private readonly client: WebClient,
    readonly editIntervalMs: number,
    /** Puts the command prefix into command names the text mentions (`/burn cancel …`). */
    private readonly rename: (text: string) => string = (t) => t,
  ) {}

  /** The ThreadStarter for one invocation: the root goes to the channel the command came from. */
  starter(requester: Principal, channel: string): ThreadStarter {
    return {
      startThread: async (rootText) => {
        const ts = await this.#post({ channel, text: this.#text(rootText) });
        return { platform: this.platform, channel, rootId: ts, requester };
      },
    };
  }

  async postReply(ref: ThreadRef, text: string): Promise<string> {
    return this.#post({ channel: ref.channel, thread_ts: ref.rootId, text: this.#text(text) });
  }

  async edit(ref: ThreadRef, messageId: string, text: string): Promise<void> {
    await this.client.chat.update({ channel: ref.channel, ts: messageId, text: this.#text(text) });
  }

  mention(who: Principal): string {
    const id = userIdOf(who.key);
    return id ? mentionOf(id) : `@${who.name}`;
  }

  #text(text: string): string {
    return clip(this.rename(escapeText(text)));
  }

  async #post(args: { channel: string; text: string; thread_ts?: string }): Promise<string> {
    try {
      const r = await this.client.chat.postMessage(args);
      if (!r.ts) throw new Error('chat.postMessage returned no ts');
      return r.ts;
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error;
      if (code && NOT_MEMBER.has(code))
        throw new UserError('unavailable', `I cannot post in this channel (${code}); invite me with /invite and try again`, { cause: err });
      throw err;
    }
  }
}
