import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { plainText, type Message } from '../../core/message.js';
import type { Principal } from '../../core/principal.js';
import type { Reply } from '../../core/reply.js';
import type { ThreadRef, ThreadStarter } from '../../core/thread.js';
import type { DispatchFn } from '../types.js';

/** The command box's form (docs/web.md, "Command box"): one line, as typed in chat. */
export const runForm = z.strictObject({ csrf: z.string(), line: z.string().max(2000) });

/** What one line gave: the reply (and its later answer), and the job page a thread-starting command opened. */
export interface BoxResult {
  readonly line: string;
  readonly reply: Reply;
  readonly later?: Reply;
  readonly jobId?: string;
}

/**
 * A web request's "thread" is the job's page (docs/web.md): the thread lives in the relay only (every
 * job page follows its job through it), and the root line's job id says which page that is.
 */
export class WebThreads implements ThreadStarter {
  #root: Message | undefined;
  readonly channel = 'web';

  constructor(private readonly principal: Principal) {}

  async startThread(rootText: Message): Promise<ThreadRef> {
    this.#root = rootText;
    return { platform: 'web', channel: 'web', rootId: `w-${randomUUID()}`, requester: this.principal };
  }

  /** The job a command started, as its thread's first line names it (`… (job b1a2b3c)`). */
  get jobId(): string | undefined {
    if (this.#root === undefined) return undefined;
    return /\(job ([A-Za-z0-9][A-Za-z0-9._:-]{0,63})\)/.exec(plainText(this.#root))?.[1];
  }
}

/**
 * Runs one line as the signed-in principal through the dispatcher, as chat does: the same resolve,
 * access, confirm and audit steps, platform `web`, one audit row. `/burn x` and `burn x` alike.
 */
export async function runLine(dispatch: DispatchFn, principal: Principal, line: string): Promise<BoxResult> {
  const m = /^\s*\/?(\S*)\s*([\s\S]*?)\s*$/.exec(line);
  const threads = new WebThreads(principal);
  const reply = await dispatch({ id: randomUUID(), platform: 'web', principal, room: 'web', command: m?.[1] ?? '', text: m?.[2] ?? '', receivedAt: new Date() }, threads);
  const later = reply.later && (await reply.later);
  const jobId = threads.jobId;
  return { line, reply, ...(later ? { later } : {}), ...(jobId ? { jobId } : {}) };
}
