import { webApi } from '@slack/bolt';
import type { Config } from '../../config/schema.js';
import type { RateBudget } from '../../services/budget/budget.js';
import { perMinute, type Rate } from '../../services/budget/gcra.js';
import { tokenId } from '../../services/budget/token-id.js';

type WebClient = webApi.WebClient;
type PostArgs = { channel: string; text: string; thread_ts?: string };
export type SlackRateLimits = NonNullable<Config['slack']>['rateLimits'];

/**
 * chat.postMessage and chat.update paced by the workspace's budget (docs/rate-limits.md): posts
 * under one key per channel, edits under one key per workspace. When Slack still answers 429, the
 * client waits Retry-After and tries again itself; the budget is held for that long too, for every
 * thread and every process sharing it.
 */
export class PacedSlackChat {
  readonly #workspace: string;
  readonly #post: Rate;
  readonly #update: Rate;

  constructor(
    readonly client: WebClient,
    token: string,
    limits: SlackRateLimits,
    private readonly budget: RateBudget,
  ) {
    this.#workspace = `slack:${tokenId(token)}`;
    this.#post = perMinute(limits.postsPerMinutePerChannel, limits.burst);
    this.#update = perMinute(limits.updatesPerMinute, limits.burst);
    client.on(webApi.WebClientEvent.RATE_LIMITED, (sec: number, req: { url?: string; body?: { channel?: unknown } }) => void this.#penalize(sec, req));
  }

  async postMessage(args: PostArgs): Promise<webApi.ChatPostMessageResponse> {
    await this.budget.take(this.#postKey(args.channel), this.#post);
    return this.client.chat.postMessage(args);
  }

  /** Waits for this workspace's turn to edit once; pass `{ paid: true }` to the update that follows. */
  updateTurn(): Promise<void> {
    return this.budget.take(this.#updateKey(), this.#update);
  }

  async update(args: { channel: string; ts: string; text: string }, opts: { paid?: boolean } = {}): Promise<void> {
    if (!opts.paid) await this.updateTurn();
    await this.client.chat.update(args);
  }

  #postKey(channel: string): string {
    return `${this.#workspace}:post:${channel}`;
  }

  #updateKey(): string {
    return `${this.#workspace}:chat.update`;
  }

  async #penalize(sec: number, req: { url?: string; body?: { channel?: unknown } }): Promise<void> {
    const ms = sec * 1000;
    if (req.url?.endsWith('/chat.update')) await this.budget.penalize(this.#updateKey(), this.#update, ms);
    else if (req.url?.endsWith('/chat.postMessage') && typeof req.body?.channel === 'string')
      await this.budget.penalize(this.#postKey(req.body.channel), this.#post, ms);
  }
}
