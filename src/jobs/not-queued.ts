import type { CommandContext } from '../core/define-command.js';
import type { LiveThread } from '../core/live-thread.js';
import { MaybeDoneError } from '../services/redis-errors.js';

/**
 * A job's thread once queueing it failed: "✘ not queued" with the reason; or, when the queue stopped
 * answering while the job was being written (it may be queued after all), a status that says so,
 * because a job that was queued reports in this very thread. Never rejects.
 */
export async function notQueued(ctx: CommandContext, thread: LiveThread, id: string, kind: 'burn' | 'deploy', err: unknown): Promise<void> {
  if (err instanceof MaybeDoneError) {
    // The audit row names the job, so that it can be found either way.
    ctx.setJobId(id);
    thread.status(`the queue did not answer; if this ${kind} was queued, it reports here`);
    await thread.flush();
    return;
  }
  await thread.finish('✘ not queued', `could not queue the ${kind}: ${(err as Error).message}`).catch(() => undefined);
}
