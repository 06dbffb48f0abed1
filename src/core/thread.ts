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

/** The raw calls a platform provides; LiveThread adds coalescing and the final flush. */
export interface ThreadTransport {
  readonly platform: string;
  /** Minimum time between two edits of one message. */
  readonly editIntervalMs: number;
  postReply(ref: ThreadRef, text: string): Promise<string>;
  edit(ref: ThreadRef, messageId: string, text: string): Promise<void>;
  mention(who: Principal): string;
  /** Optional: the thread's status will not change again (the console stops redrawing it). */
  close?(ref: ThreadRef): Promise<void>;
}

/** Per invocation: how this platform starts a thread (a channel message, an interaction reply, a console line). */
export interface ThreadStarter {
  startThread(rootText: string): Promise<ThreadRef>;
}

/** Transports by platform, so a worker can reopen a thread it did not start. */
export class Transports {
  readonly #byPlatform = new Map<string, ThreadTransport>();
  add(t: ThreadTransport): void {
    this.#byPlatform.set(t.platform, t);
  }
  get(platform: string): ThreadTransport | undefined {
    return this.#byPlatform.get(platform);
  }
}
