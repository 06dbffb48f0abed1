import type { CommandContext } from '../core/define-command.js';
import type { LiveThread } from '../core/live-thread.js';
import { MaybeDoneError } from '../services/redis-errors.js';
import type { JobLog, JobStart } from '../services/job-log/types.js';
import { recordEnd } from './job-ends.js';

/**
 * A job's thread once queueing it failed: "✘ not queued" with the reason; or, when the queue stopped
 * answering while the job was being written (it may be queued after all), a status that says so,
 * because a job that was queued reports in this very thread (and records its own end; one that was not
 * is ended by the sweep, src/jobs/unqueued.ts). Never rejects.
 */
export async function notQueued(ctx: CommandContext, thread: LiveThread, id: string, kind: 'burn' | 'deploy', err: unknown, record?: { readonly store: JobLog | undefined; readonly start: JobStart }): Promise<void> {
  if (err instanceof MaybeDoneError) {
    // The audit row names the job, so that it can be found either way.
    ctx.setJobId(id);
    thread.status(`the queue did not answer; if this ${kind} was queued, it reports here`);
    await thread.flush();
    return;
  }
  const text = `could not queue the ${kind}: ${(err as Error).message}`;
  // The thread's root links the job's page: the record says how it ended (docs/web.md, "Job history and output").
  if (record) await recordEnd(record.store, record.start, 'not_queued', text, ctx.log);
  await thread.finish('✘ not queued', text).catch(() => undefined);
}
