import type { LiveThread } from '../core/live-thread.js';
import type { Message } from '../core/message.js';
import { postFinal, type ThreadRef, type ThreadTransport } from '../core/thread.js';
import type { Following, ThreadRelay } from './entry.js';

/** Relayed message ids remembered per thread (only the live status is ever edited; this is a bound). */
const MAX_IDS = 64;

/**
 * The owner's side: applies another process's updates of `ref` to the local transport, as if that
 * process had the transport itself. What this process wrote is already shown and is skipped.
 */
export function applyOwnThread(relay: ThreadRelay, ref: ThreadRef, transport: ThreadTransport): Following {
  const ids = new Map<string, string>();
  const local = (id: string | undefined) => (id === undefined ? undefined : (ids.get(id) ?? id));
  return relay.follow(ref, async (e) => {
    if (e.op === 'final') {
      if (e.o !== relay.origin) await postFinal(transport, ref, e.text ?? '');
      return true;
    }
    if (e.o === relay.origin) return false;
    if (e.op === 'reply') {
      const id = await transport.postReply(ref, e.text ?? '');
      if (e.id !== undefined && ids.size < MAX_IDS) ids.set(e.id, id);
    } else if (e.op === 'edit' && e.id !== undefined) {
      await transport.edit(ref, local(e.id) ?? e.id, e.text ?? '');
    } else if (e.op === 'close') {
      const statusId = local(e.id);
      await transport.close?.({ ...ref, ...(statusId ? { statusId } : {}) });
    }
    return false;
  });
}

export interface MirrorOptions {
  /** Asked now and then: the job's final line when it has ended (for a backlog that expired or was cut). */
  readonly ended?: () => Promise<Message | undefined>;
  readonly checkEveryMs?: number;
}

/**
 * A watcher's side: follows the job's thread `source` into the watcher's own thread `target`, from
 * the oldest update kept: its live status, milestones and final line (which mentions the watcher).
 */
export function mirrorThread(relay: ThreadRelay, source: ThreadRef, target: LiveThread, opts: MirrorOptions = {}): Following {
  let last: Message | undefined;
  let ended = false;
  const end = async (text: Message) => {
    if (ended) return;
    ended = true;
    await target.finish(last ?? 'ended', text);
  };
  const following = relay.follow(source, async (e) => {
    if (e.op === 'final') {
      await end(e.text ?? '');
      return true;
    }
    const text = e.text ?? '';
    if (e.op === 'edit' || (e.op === 'reply' && e.id !== undefined && e.id === source.statusId)) {
      last = text;
      target.status(text);
    } else if (e.op === 'reply') await target.milestone(text);
    return false;
  });
  if (opts.ended) {
    const check = opts.ended;
    const timer = setInterval(() => {
      void check()
        .then(async (text) => {
          if (text === undefined || ended) return;
          following.stop();
          await end(text);
        })
        .catch(() => undefined);
    }, opts.checkEveryMs ?? 15_000);
    timer.unref();
    void following.done.finally(() => clearInterval(timer));
  }
  return following;
}
