import type { JobQueue } from './jobs.js';

/**
 * '' when some worker takes jobs like `data`, else a sentence for the reply saying that the job
 * waits and what to start. A failed count says nothing: the job is queued either way.
 */
export async function noWorkerNote<D>(queue: Pick<JobQueue<D, unknown, unknown>, 'workers'>, data: D, what: string): Promise<string> {
  const count = await queue.workers?.(data).catch(() => undefined);
  if (count !== 0) return '';
  return `; no worker is taking ${what} right now, so it waits: start \`opsline worker\` (or \`opsline start\`) with this config`;
}
