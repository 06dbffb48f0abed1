import { z } from 'zod';
import type { Message } from '../core/message.js';
import type { ThreadRef } from '../core/thread.js';

/**
 * A mention as the relay carries it: data, rendered by the process that shows it (docs/architecture.md,
 * "Messages"). The id is a platform's user id or a console user; it never holds markup.
 */
export const mentionSchema = z.strictObject({
  type: z.literal('mention'),
  platform: z.string().max(32),
  id: z.string().max(128),
  name: z.string().max(200),
});

/** A thread message (src/core/message.ts): plain text, or parts of text and mentions. */
export const messageSchema = z.union([z.string().max(40_000), z.array(z.union([z.string().max(40_000), mentionSchema])).max(200)]);

/**
 * One update of a thread, as the relay carries it between processes (docs/console.md, "Progress from
 * any process"). `o` is the writing process, so an owner skips what it drew itself.
 */
export const relayEntrySchema = z.strictObject({
  o: z.string().min(1).max(80),
  op: z.enum(['reply', 'edit', 'close', 'final']),
  id: z.string().max(200).optional(),
  text: messageSchema.optional(),
});

/** As parsed, with the text typed as the thread message it is (readonly parts). */
export type RelayEntry = Omit<z.infer<typeof relayEntrySchema>, 'text'> & { readonly text?: Message };
export type RelayUpdate = Omit<RelayEntry, 'o'>;

/** Parses one relayed entry; undefined for anything that does not fit (dropped by the reader). */
export function parseEntry(raw: string): RelayEntry | undefined {
  try {
    const r = relayEntrySchema.safeParse(JSON.parse(raw));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** A thread's name in the relay: unique because each console process has its own channel. */
export function threadKey(ref: ThreadRef): string {
  return `${ref.platform}:${ref.channel}:${ref.rootId}`;
}

/**
 * Handles one entry in order; returns true when the thread has ended and following should stop. `at` is
 * the entry's position in its thread: stable for as long as the entry is kept, whatever is trimmed before it
 * (a Redis stream entry id, `<ms>-<seq>`; the in-process relay numbers its entries in the same form).
 */
export type EntryHandler = (e: RelayEntry, at: string) => Promise<boolean> | boolean;

/** A position as EntryHandler gets it; anything else given as `after` (a browser's Last-Event-ID) reads from the start. */
export const RELAY_POSITION = /^\d{1,20}-\d{1,20}$/;

/** The position `after` as follow() may take it: only a well-formed one. */
export function positionOf(after: string | undefined): string | undefined {
  return after !== undefined && RELAY_POSITION.test(after) ? after : undefined;
}

/** Whether position `a` comes after `b` in a thread (both well-formed). */
export function isAfter(a: string, b: string): boolean {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  return am > bm || (am === bm && as > bs);
}

export interface Following {
  /** Stops reading (idempotent); `done` settles soon after. */
  stop(): void;
  /** Settles when following ends: the thread's final line, `stop()`, or the relay closing. */
  readonly done: Promise<void>;
}

/**
 * Carries thread updates from the process that runs a job to every process that shows the thread:
 * the owner of a console thread, and anyone who watches the job. Publishing never waits for readers
 * and never fails the job; each thread keeps a bounded backlog that expires.
 */
/** What /burn watch and /deploy watch are given: thread updates between processes. */
export interface RelayPort {
  readonly relay?: ThreadRelay;
}

export interface ThreadRelay {
  /** This process, as written into each entry. */
  readonly origin: string;
  publish(ref: ThreadRef, update: RelayUpdate): void;
  /**
   * Reads the thread's updates from the oldest one kept (or those after position `after`, when it is one),
   * then new ones as they come.
   */
  follow(ref: ThreadRef, onEntry: EntryHandler, after?: string): Following;
  /**
   * Sends `text` to every process listening on `topic` now; nothing is kept for a listener that
   * comes later (console posts: every open console shows a schedule's post).
   */
  broadcast(topic: string, text: string): void;
  /** Calls `onText` for each broadcast on `topic` by another process, once listening; resolves with what stops it. */
  listen(topic: string, onText: (text: string) => void): Promise<() => void>;
  close(): Promise<void>;
}

/** One broadcast as it travels (Redis pub/sub): parsed like any other message from outside the process. */
export const broadcastSchema = z.strictObject({ o: z.string().min(1).max(80), text: z.string().max(40_000) });

/** The broadcast's text, unless it is this process's own (`origin`) or does not fit the schema. */
export function parseBroadcast(raw: string, origin: string): string | undefined {
  try {
    const r = broadcastSchema.safeParse(JSON.parse(raw));
    return r.success && r.data.o !== origin ? r.data.text : undefined;
  } catch {
    return undefined;
  }
}
