import { UserError } from '../../core/errors.js';
import type { EditOptions, Principal, ThreadRef, ThreadStarter, ThreadTransport } from '../../core/thread.js';
import { userIdOf } from './names.js';
import type { PacedSlackChat } from './paced-chat.js';
import { clip, escapeText, mentionOf } from './render.js';

/** Errors that mean "the bot cannot post here", which the caller can fix by inviting it. */
const NOT_MEMBER = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

/**
 * Threads in Slack: the root is a channel message (chat.postMessage), replies carry its `ts` as
 * `thread_ts`, and the live status is one reply edited with chat.update. Every call is paced by the
 * workspace's budget (PacedSlackChat); LiveThread takes its edit turn first (`editTurn`) and only then
 * picks its newest text, so a status waiting for the budget is never sent stale.
 */
export class SlackTransport implements ThreadTransport {
  readonly platform = 'slack';

  constructor(
    private readonly chat: PacedSlackChat,
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

  async editTurn(): Promise<void> {
    await this.chat.updateTurn();
  }

  async edit(ref: ThreadRef, messageId: string, text: string, opts: EditOptions = {}): Promise<void> {
    await this.chat.update({ channel: ref.channel, ts: messageId, text: this.#text(text) }, { paid: opts.turnTaken === true });
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
      const r = await this.chat.postMessage(args);
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
