import { UserError } from '../../core/errors.js';
import type { JobQueue } from './jobs.js';

/**
 * The job's thread is posted: its opening holds the job's data now (src/jobs/job-thread.ts wrote the
 * intent). Throws when another process's sweep took the opening meanwhile and told the channel (this
 * process stalled longer than a sweep waits): the job must not be queued then.
 */
export async function threadPosted<D>(queue: Pick<JobQueue<D, unknown, unknown>, 'opening'>, id: string, data: D): Promise<void> {
  if (!queue.opening || (await queue.opening(id, data))) return;
  throw new UserError('unavailable', 'this request stalled between its thread and the queue, and another bot process gave it up (its channel was told); nothing was queued. Ask again');
}
