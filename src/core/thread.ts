import { z } from 'zod';
import { finalLine, type Message } from './message.js';
import { principalSchema, type Principal } from './principal.js';

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

/**
 * A ThreadRef read back from outside the process (job data and openings in Redis): the same fields, each
 * bounded; the platform names a transport and is only ever looked up in a Map (Transports).
 */
export const threadRefSchema = z.object({
  platform: z.string().min(1).max(32),
  channel: z.string().min(1).max(200),
  rootId: z.string().min(1).max(200),
  threadId: z.string().min(1).max(200).optional(),
  statusId: z.string().min(1).max(200).optional(),
  requester: principalSchema,
}) satisfies z.ZodType<ThreadRef>;

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
  /**
   * Optional: a message in a channel, outside any thread, that mentions `requester` (a job whose thread's
   * root never got its id recorded: src/jobs/unqueued.ts). Without it such a job is only logged.
   */
  postChannel?(channel: string, requester: Principal, text: Message): Promise<string>;
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
  /** The channel the thread's root goes to, where the starter knows it before posting (the invocation's room otherwise). */
  readonly channel?: string;
}

/** The final line of a thread: the transport's own, or a reply that mentions the requester. */
export function postFinal(t: ThreadTransport, ref: ThreadRef, text: Message): Promise<string> {
  return t.finalReply ? t.finalReply(ref, text) : t.postReply(ref, finalLine(ref.requester, text));
}
