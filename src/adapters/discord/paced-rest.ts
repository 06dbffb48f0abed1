import type { REST } from 'discord.js';
import type { RateBudget } from '../../services/budget/budget.js';
import type { Rate } from '../../services/budget/gcra.js';
import { tokenId } from '../../services/budget/token-id.js';
import type { DiscordConfig } from './config.js';
import { createDiscordRest } from './rest.js';

/** Calls into a channel that Discord limits apart: new messages, edits, thread creation. */
export type ChannelCall = 'post' | 'edit' | 'thread';

/**
 * The bot token's REST calls into channels, paced by a shared budget (docs/rate-limits.md): per
 * channel (a thread is a channel) one key for new messages, one for edits and one for threads, as
 * Discord keeps a bucket per route, and every call under the bot's global key. @discordjs/rest
 * still reads Discord's rate-limit headers and queues per route inside this process; the budget
 * adds what it cannot see: the calls of other processes with the same token.
 */
export class PacedDiscordRest {
  readonly #bot: string;
  readonly #channel: Rate;
  readonly #global: Rate;

  constructor(
    readonly rest: REST,
    token: string,
    limits: DiscordConfig['rateLimits'],
    private readonly budget: RateBudget,
  ) {
    this.#bot = `discord:${tokenId(token)}`;
    // At most messagesPer5sPerChannel + 1 in any 5 s window, and requestsPerSecond + 9 in any second.
    this.#channel = { intervalMs: 5000 / limits.messagesPer5sPerChannel, burst: 2 };
    this.#global = { intervalMs: 1000 / limits.requestsPerSecond, burst: 10 };
    rest.on('rateLimited', (info) => {
      const kind: ChannelCall = info.method.toUpperCase() === 'PATCH' ? 'edit' : /\/threads/.test(info.route) ? 'thread' : 'post';
      const [key, rate] = info.global ? [this.#globalKey(), this.#global] : [this.#channelKey(info.majorParameter, kind), this.#channel];
      void this.budget.penalize(key, rate, info.retryAfter);
    });
  }

  /** Waits until one call of `kind` into `channel` fits both the channel's and the bot's budget. */
  async turn(channel: string, kind: ChannelCall): Promise<void> {
    await this.budget.take(this.#channelKey(channel, kind), this.#channel);
    await this.budget.take(this.#globalKey(), this.#global);
  }

  #channelKey(channel: string, kind: ChannelCall): string {
    return `${this.#bot}:channel:${channel}:${kind}`;
  }

  #globalKey(): string {
    return `${this.#bot}:global`;
  }
}

/** A REST client with the bot token, paced by `budget`: the app's (`app.budget`), shared through Redis. */
export function pacedDiscordRest(config: DiscordConfig, budget: RateBudget, rest: REST = createDiscordRest(config)): PacedDiscordRest {
  return new PacedDiscordRest(rest, config.token, config.rateLimits, budget);
}
