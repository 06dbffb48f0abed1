import type { CommandContext } from '../core/define-command.js';
import { withOutcome } from '../core/errors.js';
import type { LiveThread } from '../core/live-thread.js';
import type { Message } from '../core/message.js';
import type { JobQueue } from '../services/queue/jobs.js';

/**
 * Opens a job's thread ("queued") with its opening recorded first (docs/hosting.md, "What a SIGKILL
 * loses"): where the thread goes, for whom, and `what` was asked, so that if this process dies before
 * the job is queued, another one tells that channel even when the root's id never reached Redis.
 * When Redis does not take the record, nothing is posted and the caller reads "nothing was queued":
 * the queueing that would follow needs the same Redis. The record is kept fresh while the post waits
 * for the platform; the caller then records the job's data with `queue.opening` before queueing it.
 */
export async function openJobThread(ctx: CommandContext, queue: Pick<JobQueue<unknown, unknown, unknown>, 'intend' | 'dropOpening'>, id: string, what: string, root: Message): Promise<LiveThread> {
  const { platform, room, principal } = ctx.invocation;
  await queue.intend?.(id, { platform, channel: ctx.threads.channel ?? room, requester: principal, what: what.slice(0, 300) });
  // The thread comes first: if it cannot be posted, nothing was queued, and the reply says so.
  try {
    return await ctx.openThread(root, 'queued');
  } catch (err) {
    await queue.dropOpening?.(id);
    throw withOutcome(err, 'nothing was queued');
  }
}
