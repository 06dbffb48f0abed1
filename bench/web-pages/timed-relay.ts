import type { ThreadRef } from '../../src/core/thread.js';
import { threadKey, type EntryHandler, type Following, type RelayUpdate, type ThreadRelay } from '../../src/relay/entry.js';
import { wallNow } from './child.js';

/** The worker's relay, noting when each update was published (the start of its latency) and its op. */
export class TimedRelay implements ThreadRelay {
  /** Each update published, with its thread's key, in order. */
  readonly published: { readonly thread: string; readonly op: RelayUpdate['op']; readonly at: number }[] = [];

  constructor(private readonly inner: ThreadRelay) {}

  get origin(): string {
    return this.inner.origin;
  }

  publish(ref: ThreadRef, update: RelayUpdate): void {
    this.published.push({ thread: threadKey(ref), op: update.op, at: wallNow() });
    this.inner.publish(ref, update);
  }

  follow(ref: ThreadRef, onEntry: EntryHandler): Following {
    return this.inner.follow(ref, onEntry);
  }

  broadcast(topic: string, text: string): void {
    this.inner.broadcast(topic, text);
  }

  listen(topic: string, onText: (text: string) => void): Promise<() => void> {
    return this.inner.listen(topic, onText);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
