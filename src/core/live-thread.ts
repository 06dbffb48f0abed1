import type { Logger } from 'pino';
import { printable } from './printable.js';
import { printableMessage, sameMessage, type Message } from './message.js';
import { postFinal, type ThreadRef, type ThreadTransport, type ThreadStarter } from './thread.js';

/**
 * One thread of long work: a root, one live status message edited in place (coalesced to at most one
 * edit per `editIntervalMs`), milestone lines, and a final line that mentions the requester.
 * Where the platform's budget is shared (editTurn), the thread waits for its turn first and only
 * then picks the newest text, so what it sends is as fresh as the budget allows. Transport
 * failures on status edits are logged and retried with the next edit; the final state always gets
 * one more attempt in `finish()`. Every text is made `printable` here, whatever job output it carries.
 */
export class LiveThread {
  #ref: ThreadRef;
  #pending: Message | undefined;
  #lastSent: Message | undefined;
  #lastEditAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> = Promise.resolve();
  /** A delivery is queued behind the one in flight. */
  #queued = false;

  private constructor(
    private readonly transport: ThreadTransport,
    ref: ThreadRef,
    private readonly log?: Logger,
  ) {
    this.#ref = ref;
  }

  /** Starts a thread: root message, then the live status message, whose id goes into the ref. */
  static async open(
    starter: ThreadStarter,
    transport: ThreadTransport,
    rootText: Message,
    initialStatus: Message,
    log?: Logger,
  ): Promise<LiveThread> {
    const ref = await starter.startThread(printableMessage(rootText), { job: true });
    const status = printableMessage(initialStatus);
    const statusId = await transport.postReply(ref, status);
    // The requester's display name comes from the platform, and a transport may mention them by it.
    const requester = { ...ref.requester, name: printable(ref.requester.name) };
    const t = new LiveThread(transport, { ...ref, statusId, requester }, log);
    t.#lastSent = status;
    t.#lastEditAt = Date.now();
    return t;
  }

  /** Reopens a thread from a stored reference (another process, or after a restart). */
  static reopen(transport: ThreadTransport, ref: ThreadRef, log?: Logger): LiveThread {
    return new LiveThread(transport, ref, log);
  }

  get ref(): ThreadRef {
    return this.#ref;
  }

  /** Sets the live status text; edits are coalesced so only the newest text is sent. */
  status(text: Message): void {
    this.#pending = printableMessage(text);
    this.#schedule();
  }

  async milestone(text: Message): Promise<void> {
    await this.#post(printableMessage(text));
  }

  /** Lands the final status, then posts `text` mentioning the requester. */
  async finish(finalStatus: Message, text: Message): Promise<void> {
    this.#pending = printableMessage(finalStatus);
    await this.flush();
    await this.transport.close?.(this.#ref);
    try {
      await postFinal(this.transport, this.#ref, printableMessage(text));
    } catch (err) {
      this.log?.warn({ err }, 'final reply failed');
      throw err;
    }
  }

  /**
   * Sends the newest pending status now (after any edit in flight), ignoring the interval.
   * A failed send is tried again, up to three times, so the final state lands whenever it can.
   */
  async flush(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      this.#cancelTimer();
      await this.#inFlight;
      if (this.#pending === undefined) return;
      await this.#send();
    }
    this.#cancelTimer();
    if (this.#pending !== undefined) this.log?.error('could not deliver the final status after 3 attempts');
  }

  #cancelTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer) return;
    const wait = Math.max(0, this.#lastEditAt + this.transport.editIntervalMs - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#send();
    }, wait);
    this.#timer.unref?.();
  }

  #send(): Promise<void> {
    if (sameMessage(this.#pending, this.#lastSent)) this.#pending = undefined;
    // One delivery at a time, and at most one queued behind it (it sends whatever is newest when it
    // runs), even when a timer and flush() both ask: the final edit lands last, nothing piles up.
    if (this.#pending === undefined || this.#queued) return this.#inFlight;
    this.#queued = true;
    this.#inFlight = this.#inFlight.then(() => {
      this.#queued = false;
      return this.#deliver();
    });
    return this.#inFlight;
  }

  /** Never rejects: a failure keeps the text pending for the next edit. */
  async #deliver(): Promise<void> {
    if (sameMessage(this.#pending, this.#lastSent)) this.#pending = undefined;
    if (this.#pending === undefined) return;
    let text: Message | undefined;
    try {
      // Texts that arrive while this waits for its turn replace the pending one: the newest is sent.
      const turnTaken = this.#ref.statusId !== undefined && typeof this.transport.editTurn === 'function';
      if (turnTaken) await this.transport.editTurn?.(this.#ref);
      text = this.#pending;
      this.#pending = undefined;
      if (text === undefined || sameMessage(text, this.#lastSent)) return;
      this.#lastEditAt = Date.now();
      await this.#editOrPost(text, turnTaken);
      this.#lastSent = text;
    } catch (err) {
      this.log?.warn({ err }, 'status edit failed; keeping the text for the next edit');
      if (this.#pending === undefined) this.#pending = text;
      this.#schedule();
    }
  }

  async #editOrPost(text: Message, turnTaken: boolean): Promise<void> {
    if (this.#ref.statusId === undefined) {
      const statusId = await this.transport.postReply(this.#ref, text);
      this.#ref = { ...this.#ref, statusId };
    } else {
      await this.transport.edit(this.#ref, this.#ref.statusId, text, { turnTaken });
    }
  }

  async #post(text: Message): Promise<void> {
    try {
      await this.transport.postReply(this.#ref, text);
    } catch (err) {
      this.log?.warn({ err }, 'thread reply failed');
      throw err;
    }
  }
}
