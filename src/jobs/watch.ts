import type { CommandContext } from '../core/define-command.js';
import { UserError } from '../core/errors.js';
import { mention, msg } from '../core/message.js';
import { reply, type Reply } from '../core/reply.js';
import type { ThreadRef } from '../core/thread.js';
import type { JobState } from '../services/queue/jobs.js';
import { mirrorThread } from '../relay/apply.js';
import type { RelayPort } from '../relay/entry.js';

export interface Watched {
  readonly kind: 'burn' | 'deploy';
  readonly id: string;
  readonly state: JobState;
  /** The job's own thread, wherever it was started. */
  readonly thread: ThreadRef;
  /** What the job is, for the watcher's root line: `sample.iso on demo/virtual for alice`. */
  readonly title: string;
  /** The job's state in one line, for a job that has already ended. */
  readonly summary: string;
  /** The job's final line once it has ended (asked now and then, in case its thread's backlog is gone). */
  ended(): Promise<string | undefined>;
}

/**
 * `/burn watch` and `/deploy watch`: a thread in the watcher's place that follows the job's own
 * thread through the relay, from the oldest update kept to the final line, whichever process runs it.
 */
export async function watchJob(ctx: CommandContext<unknown, RelayPort>, w: Watched): Promise<Reply> {
  if (w.state === 'finished' || w.state === 'failed') return reply(`${w.kind} job ${w.id} has ended: ${w.summary}`);
  const relay = ctx.services.relay;
  if (!relay) throw new UserError('not_configured', 'following a job needs the thread relay, which is not set up here');
  const who = mention(ctx.invocation.principal);
  const thread = await ctx.openThread(msg`watching ${w.kind} job ${w.id}: ${w.title} (for ${who})`, w.state === 'queued' ? 'queued' : 'running');
  mirrorThread(relay, w.thread, thread, { ended: w.ended });
  return reply(`following ${w.kind} job ${w.id} in the thread until it ends`);
}

/** True for a job that will not change again. */
export function hasEnded(state: JobState | undefined): boolean {
  return state === 'finished' || state === 'failed';
}
