import type { Job, JobState as BullState } from 'bullmq';

/**
 * A job's BullMQ state read together with a copy of the job that agrees with it.
 *
 * A job's hash and its state are two reads. A job read while running and finished before its state is read
 * would otherwise be "finished" with no result and no end time. BullMQ writes the hash's end (result, reason,
 * `finishedOn`) and moves the job to its finished set in one script, so reading the job again once the state
 * says it ended gives that end (docs/architecture.md, "Job lifecycle").
 */
export async function settledState<D>(
  job: Job<D>,
  reload: () => Promise<Job<D> | undefined>,
): Promise<{ raw: BullState | 'unknown'; job: Job<D> }> {
  const raw = await job.getState();
  if ((raw === 'completed' || raw === 'failed') && !job.finishedOn) {
    const fresh = await reload();
    if (fresh) return { raw, job: fresh };
  }
  return { raw, job };
}
