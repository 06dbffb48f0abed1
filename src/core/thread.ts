import type { Message } from './message.js';
import type { ThreadRelay } from '../relay/entry.js';
import { RelayedTransport } from '../relay/relayed-transport.js';

export interface Principal {
  /** `slack:<team>:<user>`, `discord:<user>` or `console:<user>`; never a display name. */
  readonly key: string;
  readonly name: string;
  /** Discord: the guild the interaction came from and the member's role ids in it (access.discordRoles). */
  readonly guild?: string;
  readonly memberRoles?: readonly string[];
}

/**
 * A serialisable reference to a thread: stored in job data so that any process can reopen it.
 * `statusId` is the live status message, `threadId` the thread channel where a platform has one (Discord).
 */
export interface ThreadRef {
  readonly platform: string;
  readonly channel: string;
  readonly rootId: string;
  readonly threadId?: string;
  readonly statusId?: string;
  readonly requester: Principal;
}

export interface EditOptions {
  readonly turnTaken?: boolean;
}

/** The raw calls a platform provides; LiveThread adds coalescing and the final flush. */
export interface ThreadTransport {
  readonly platform: string;
  /** Minimum time between two edits of one message. */
  readonly editIntervalMs: number;
  postReply(ref: ThreadRef, text: Message): Promise<string>;
  /** `turnTaken`: the caller already waited for its turn (editTurn), so this edit goes at once. */
  edit(ref: ThreadRef, messageId: string, text: Message, opts?: EditOptions): Promise<void>;
  /**
   * Optional: waits until the platform's shared budget allows one edit of `ref`'s status message
   * and takes it, for an `edit` with `turnTaken` that follows (docs/rate-limits.md).
   */
  editTurn?(ref: ThreadRef): Promise<void>;
  /** Optional: the thread's status will not change again (the console stops redrawing it). */
  close?(ref: ThreadRef): Promise<void>;
  /** Optional: posts the thread's final line, mentioning `ref.requester` (default: a reply that starts with the mention). */
  finalReply?(ref: ThreadRef, text: Message): Promise<string>;
}

export interface ThreadOptions {
  /**
   * The thread follows a job to its final line (LiveThread.open): a console waits for it before it
   * exits. Without it the thread is an announcement (a grant's) that gets a line some time later.
   */
  readonly job?: boolean;
}

/** Per invocation: how this platform starts a thread (a channel message, an interaction reply, a console line). */
export interface ThreadStarter {
  startThread(rootText: Message, opts?: ThreadOptions): Promise<ThreadRef>;
}

/**
 * Transports by platform, so a worker can reopen a thread it did not start. With a relay, every
 * thread is reachable: updates go to the local transport (if any) and through the relay, to the
 * process that owns the thread and to watchers (docs/console.md).
 */
export class Transports {
  readonly #byPlatform = new Map<string, ThreadTransport>();
  readonly #relayed = new Map<string, ThreadTransport>();

  constructor(private readonly relay?: ThreadRelay) {}

  add(t: ThreadTransport): void {
    this.#byPlatform.set(t.platform, t);
    this.#relayed.delete(t.platform);
  }

  get(platform: string): ThreadTransport | undefined {
    const local = this.#byPlatform.get(platform);
    if (!this.relay) return local;
    if (!local) return new RelayedTransport(platform, undefined, this.relay);
    let t = this.#relayed.get(platform);
    if (!t) this.#relayed.set(platform, (t = new RelayedTransport(platform, local, this.relay)));
    return t;
  }

  /** The transport registered for `platform` in this process, without the relay. */
  local(platform: string): ThreadTransport | undefined {
    return this.#byPlatform.get(platform);
  }
}
