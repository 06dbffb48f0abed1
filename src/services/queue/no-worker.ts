import type { JobQueue } from './jobs.js';

/**
 * '' when some worker takes jobs like `data`, else a clause for the acknowledgement saying that the
 * job waits and what to start. A failed count says nothing: the job is queued either way.
 */
export async function noWorkerNote<D>(queue: Pick<JobQueue<D, unknown, unknown>, 'workers'>, data: D, what: string): Promise<string> {
  const count = await queue.workers?.(data).catch(() => undefined);
  if (count !== 0) return '';
  return `no worker is taking ${what} right now, so it waits: start \`opsline worker\` (or \`opsline start\`) with this config`;
}

/**
 * The end of a job's acknowledgement: where its output goes, and, when no worker takes it, that it
 * waits (then nothing may say it is starting: one ack, one story).
 */
export function whereItShows(note: string, what: string): string {
  return note ? `; ${note}; ${what} will be in the thread` : `; ${what} is in the thread`;
}
