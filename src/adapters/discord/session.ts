import { setTimeout as sleep } from 'node:timers/promises';
import { InteractionResponseType, Routes, type APIInteractionResponse } from 'discord-api-types/v10';
import { DiscordAPIError, type REST } from '@discordjs/rest';
import type { Message } from '../../core/message.js';
import type { Reply } from '../../core/reply.js';
import { messageBody, plainBody, replyBodies, type MessageBody } from './render.js';
import { createdId } from './rest.js';

const UNKNOWN_MESSAGE = 10008;

/** Sends the one interaction callback: a REST call (gateway) or the HTTP response body (HTTP interactions). */
export interface Responder {
  callback(body: APIInteractionResponse): Promise<void>;
}

/**
 * Where the rest of a long in-channel reply goes: a thread started from its first message. Undefined
 * when no thread can be started there (the command ran inside a thread); the rest then follows as
 * follow-up messages.
 */
export interface RestThread {
  open(rootId: string): Promise<string | undefined>;
  post(threadId: string, body: MessageBody): Promise<void>;
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
  openRoot(text: Message): Promise<string> {
    return this.#serial(async () => {
      if (this.#rootUsed) return (await this.#webhook('post', plainBody(text))).id;
      // Deferring first lets the PATCH return the message id in both gateway and HTTP mode.
      if (this.#state === 'open') await this.#defer();
      this.#rootUsed = true;
      this.#state = 'answered';
      return (await this.#webhook('patch', plainBody(text))).id;
    });
  }

  /**
   * Delivers the command's reply in whatever way is still open. A reply of several numbered parts
   * (docs/architecture.md, "Long replies"): the first in place, the rest in a thread under it when
   * it is in the channel, else (an ephemeral message has no thread) as private follow-ups, in order.
   */
  finish(reply: Reply, thread?: RestThread): Promise<void> {
    return this.#serial(async () => {
      const [body, ...rest] = replyBodies(reply);
      const inThread = rest.length > 0 && reply.visibility === 'channel' ? thread : undefined;
      let threadId: string | undefined;
      if (inThread) {
        // The first part's id is needed to start a thread from it: deferring first lets the PATCH return it.
        if (this.#state === 'open') await this.#defer();
        const rootId = (await this.#webhook(this.#rootUsed ? 'post' : 'patch', body)).id;
        this.#rootUsed = true;
        this.#state = 'answered';
        threadId = await inThread.open(rootId).catch(() => undefined);
      } else await this.#first(body, reply.visibility === 'ephemeral');
      for (const part of rest) {
        if (inThread && threadId !== undefined) await inThread.post(threadId, part);
        else await this.#webhook('post', part);
      }
    });
  }

  /** The (first) message of the reply, in whatever way is still open. */
  async #first(body: MessageBody, ephemeral: boolean): Promise<void> {
    if (this.#state === 'open') {
      this.#state = 'answered';
      await this.init.responder.callback({ type: InteractionResponseType.ChannelMessageWithSource, data: body });
    } else if (this.#rootUsed || this.#state === 'answered') {
      await this.#webhook('post', body);
    } else if (ephemeral) {
      this.#privately = true;
      // A deferral is public, and the first follow-up after one inherits that visibility by replacing the
      // "thinking…" placeholder. So: end the placeholder, answer in a private follow-up, remove the placeholder.
      this.#state = 'answered';
      await this.#webhook('patch', messageBody('answered privately'));
      await this.#webhook('post', body);
      await this.init.rest.delete(this.#original(), { auth: false });
    } else {
      this.#state = 'answered';
      await this.#webhook('patch', body);
    }
  }

  /**
   * Puts `reply` in place of the answer `finish` gave: an edit of the original response when it is
   * that answer and public, else a follow-up.
   */
  replace(reply: Reply): Promise<void> {
    return this.#serial(async () => {
      const [body, ...rest] = replyBodies(reply);
      if (this.#rootUsed || this.#privately) await this.#webhook('post', body);
      else await this.#webhook('patch', body);
      for (const part of rest) await this.#webhook('post', part);
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
