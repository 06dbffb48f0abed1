import { setTimeout as sleep } from 'node:timers/promises';
import { DiscordAPIError, InteractionResponseType, Routes, type APIInteractionResponse, type REST } from 'discord.js';
import type { Reply } from '../../core/reply.js';
import { messageBody, plainBody, replyBody, type MessageBody } from './render.js';
import { createdId } from './rest.js';

const UNKNOWN_MESSAGE = 10008;

/** Sends the one interaction callback: a REST call (gateway) or the HTTP response body (HTTP interactions). */
export interface Responder {
  callback(body: APIInteractionResponse): Promise<void>;
}

export interface SessionInit {
  readonly rest: REST;
  readonly applicationId: string;
  readonly token: string;
  readonly responder: Responder;
}

/**
 * The life of one interaction's answer. Discord allows exactly one callback within 3 s; everything
 * after it goes through the interaction webhook (valid 15 minutes, no bot token needed). Steps are
 * serialised, because the deferral timer, a thread's root and the final reply can race.
 */
export class InteractionSession {
  #state: 'open' | 'deferred' | 'answered' = 'open';
  #rootUsed = false;
  /** The original response says "answered privately"; the answer is a follow-up. */
  #privately = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly init: SessionInit) {}

  /** Acknowledges now (a visible "thinking…") if nothing has been sent yet; called when the 3 s budget runs low. */
  deferIfOpen(): Promise<void> {
    return this.#serial(async () => {
      if (this.#state === 'open') await this.#defer();
    });
  }

  /** Makes the interaction reply the root message of a thread and returns its message id. */
  openRoot(text: string): Promise<string> {
    return this.#serial(async () => {
      if (this.#rootUsed) return (await this.#webhook('post', plainBody(text))).id;
      // Deferring first lets the PATCH return the message id in both gateway and HTTP mode.
      if (this.#state === 'open') await this.#defer();
      this.#rootUsed = true;
      this.#state = 'answered';
      return (await this.#webhook('patch', plainBody(text))).id;
    });
  }

  /** Delivers the command's reply in whatever way is still open. */
  finish(reply: Reply): Promise<void> {
    return this.#serial(async () => {
      const body = replyBody(reply);
      if (this.#state === 'open') {
        this.#state = 'answered';
        await this.init.responder.callback({ type: InteractionResponseType.ChannelMessageWithSource, data: body });
      } else if (this.#rootUsed || this.#state === 'answered') {
        await this.#webhook('post', body);
      } else if (reply.visibility === 'ephemeral') {
        // A deferral is public, and the first follow-up after one inherits that visibility by replacing the
        // "thinking…" placeholder. So: end the placeholder, answer in a private follow-up, remove the placeholder.
        this.#state = 'answered';
        this.#privately = true;
        await this.#webhook('patch', messageBody('answered privately'));
        await this.#webhook('post', body);
        await this.init.rest.delete(this.#original(), { auth: false });
      } else {
        this.#state = 'answered';
        await this.#webhook('patch', body);
      }
    });
  }

  /**
   * Puts `reply` in place of the answer `finish` gave: an edit of the original response when it is
   * that answer and public, else a follow-up.
   */
  replace(reply: Reply): Promise<void> {
    return this.#serial(async () => {
      const body = replyBody(reply);
      if (this.#rootUsed || this.#privately) await this.#webhook('post', body);
      else await this.#webhook('patch', body);
    });
  }

  async #defer(): Promise<void> {
    this.#state = 'deferred';
    await this.init.responder.callback({ type: InteractionResponseType.DeferredChannelMessageWithSource });
  }

  async #webhook(method: 'post' | 'patch', body: MessageBody): Promise<{ id: string }> {
    const { rest, applicationId, token } = this.init;
    if (method === 'patch') return this.#patchOriginal(body);
    return { id: createdId(await rest.post(Routes.webhook(applicationId, token), { body, auth: false, query: new URLSearchParams({ wait: 'true' }) }), 'a follow-up') };
  }

  /**
   * In HTTP mode Discord creates the deferred placeholder only once it has read our HTTP response,
   * so an edit sent right after it can arrive first and find no message: retry that case briefly.
   */
  async #patchOriginal(body: MessageBody): Promise<{ id: string }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return { id: createdId(await this.init.rest.patch(this.#original(), { body, auth: false }), 'an edit of the reply') };
      } catch (err) {
        if (attempt >= 5 || !(err instanceof DiscordAPIError && err.code === UNKNOWN_MESSAGE)) throw err;
        await sleep(100 * attempt);
      }
    }
  }

  #original(): `/webhooks/${string}/${string}/messages/${string}` {
    return Routes.webhookMessage(this.init.applicationId, this.init.token, '@original');
  }

  #serial<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(step);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
