import type { JobQueue } from './jobs.js';
import { givenUp } from './openings.js';

/**
 * The job's thread is posted: its opening holds the job's data now (src/jobs/job-thread.ts wrote the
 * intent). Throws when another process's sweep took the opening meanwhile and told the channel (this
 * process stalled longer than a sweep waits): the job must not be queued then.
 */
export async function threadPosted<D>(queue: Pick<JobQueue<D, unknown, unknown>, 'opening' | 'dropOpening'>, id: string, data: D): Promise<void> {
  if (!queue.opening || (await queue.opening(id, data))) return;
  await queue.dropOpening?.(id);
  throw givenUp();
}
