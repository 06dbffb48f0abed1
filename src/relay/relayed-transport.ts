import { randomUUID } from 'node:crypto';
import type { Message } from '../core/message.js';
import { postFinal, type EditOptions, type ThreadRef, type ThreadTransport } from '../core/thread.js';
import type { ThreadRelay } from './entry.js';

/** How often a thread with no transport in this process is updated through the relay. */
const RELAY_EDIT_MS = 250;

/**
 * A thread transport that also relays every update: to the thread's owner when this process has no
 * transport for its platform (`inner` undefined), and to whoever watches the job in any case.
 */
export class RelayedTransport implements ThreadTransport {
  constructor(
    readonly platform: string,
    private readonly inner: ThreadTransport | undefined,
    private readonly relay: ThreadRelay,
  ) {}

  get editIntervalMs(): number {
    return this.inner?.editIntervalMs ?? RELAY_EDIT_MS;
  }

  async postReply(ref: ThreadRef, text: Message): Promise<string> {
    let id: string | undefined;
    try {
      id = this.inner ? await this.inner.postReply(ref, text) : `r-${randomUUID()}`;
      return id;
    } finally {
      this.relay.publish(ref, { op: 'reply', text, ...(id ? { id } : {}) });
    }
  }

  async editTurn(ref: ThreadRef): Promise<void> {
    await this.inner?.editTurn?.(ref);
  }

  async edit(ref: ThreadRef, messageId: string, text: Message, opts?: EditOptions): Promise<void> {
    this.relay.publish(ref, { op: 'edit', id: messageId, text });
    await this.inner?.edit(ref, messageId, text, opts);
  }

  async close(ref: ThreadRef): Promise<void> {
    this.relay.publish(ref, { op: 'close', ...(ref.statusId ? { id: ref.statusId } : {}) });
    await this.inner?.close?.(ref);
  }

  async finalReply(ref: ThreadRef, text: Message): Promise<string> {
    this.relay.publish(ref, { op: 'final', text });
    if (!this.inner) return `r-${randomUUID()}`;
    return postFinal(this.inner, ref, text);
  }
}
