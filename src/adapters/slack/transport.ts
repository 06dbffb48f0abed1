import { OperatorError, UserError } from '../../core/errors.js';
import { finalLine, type Message } from '../../core/message.js';
import type { EditOptions, ThreadRef, ThreadStarter, ThreadTransport } from '../../core/thread.js';
import type { Principal } from '../../core/principal.js';
import type { PacedSlackChat } from './paced-chat.js';
import { splitText } from '../../core/split.js';
import { clip, MAX_TEXT, slackText } from './render.js';

/** Errors that mean "the bot cannot post here", which the caller can fix by inviting it. */
const NOT_MEMBER = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);
/** Errors that mean Slack no longer accepts the bot's token: nothing posts until an admin fixes it. */
const TOKEN_REFUSED = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'no_permission', 'missing_scope']);

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
      channel,
      startThread: async (rootText) => {
        const ts = await this.#post({ channel, text: this.#text(rootText) });
        return { platform: this.platform, channel, rootId: ts, requester };
      },
    };
  }

  /** A reply longer than one message goes as numbered messages in the thread; the first one's ts is the reply's. */
  async postReply(ref: ThreadRef, text: Message): Promise<string> {
    const [first = '', ...rest] = splitText(this.rename(slackText(text)), MAX_TEXT);
    const ts = await this.#post({ channel: ref.channel, thread_ts: ref.rootId, text: first });
    for (const part of rest) await this.#post({ channel: ref.channel, thread_ts: ref.rootId, text: part });
    return ts;
  }

  /**
   * Messages already rendered (a long reply's parts): the first in the channel, the rest in a thread
   * under it (docs/architecture.md, "Long replies"). Throws, like every post, when the first cannot go.
   */
  async postSplit(channel: string, texts: readonly string[]): Promise<void> {
    const [first, ...rest] = texts;
    if (first === undefined) return;
    const ts = await this.#post({ channel, text: first });
    for (const text of rest) await this.#post({ channel, thread_ts: ts, text });
  }

  /** A channel message that mentions the requester (a job whose thread root was lost: src/jobs/unqueued.ts). */
  async postChannel(channel: string, requester: Principal, text: Message): Promise<string> {
    return this.#post({ channel, text: this.#text(finalLine(requester, text)) });
  }

  async editTurn(): Promise<void> {
    await this.chat.updateTurn();
  }

  async edit(ref: ThreadRef, messageId: string, text: Message, opts: EditOptions = {}): Promise<void> {
    await this.chat.update({ channel: ref.channel, ts: messageId, text: this.#text(text) }, { paid: opts.turnTaken === true });
  }

  #text(text: Message): string {
    return clip(this.rename(slackText(text)));
  }

  async #post(args: { channel: string; text: string; thread_ts?: string }): Promise<string> {
    try {
      const r = await this.chat.postMessage(args);
      if (!r.ts) throw new OperatorError('platform_failed', 'chat.postMessage returned no ts');
      return r.ts;
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error;
      if (code && NOT_MEMBER.has(code))
        throw new UserError('unavailable', `I cannot post in this channel (${code}); invite me with /invite and try again`, { cause: err });
      const down = slackDown(err);
      if (down) throw new UserError('unavailable', down, { cause: err });
      throw err;
    }
  }
}

/**
 * What a person reads when Slack's Web API cannot take a post: the bot's token refused, or the API
 * not answering (after the client's own retries). Other refusals are opsline's bug, left as they are.
 */
function slackDown(err: unknown): string | undefined {
  const e = err as { code?: unknown; data?: { error?: unknown }; statusCode?: unknown; original?: { code?: unknown; message?: unknown } };
  const error = e.data?.error;
  if (e.code === 'slack_webapi_platform_error' && typeof error === 'string' && TOKEN_REFUSED.has(error))
    return `Slack refused the bot's token (${error}); an admin must check slack.botToken and its scopes`;
  if (e.code === 'slack_webapi_http_error') return `Slack's API is not answering (HTTP ${String(e.statusCode)})`;
  if (e.code === 'slack_webapi_request_error') return `Slack's API cannot be reached (${String(e.original?.code ?? e.original?.message ?? 'no answer').slice(0, 60)})`;
  return undefined;
}
