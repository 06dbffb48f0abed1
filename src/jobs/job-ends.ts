import type { Logger } from 'pino';
import type { DeployJobData } from '../services/deploy/types.js';
import type { JobLog, JobOutcome, JobStart } from '../services/job-log/types.js';
import type { BurnJobData } from '../services/queue/types.js';

/**
 * Every way a job ends is recorded once in its durable record (docs/web.md, "Job history and output"):
 * a worker's end through its ThreadReporter, and the ends no worker reports here: a job cancelled or
 * dropped before a worker took it, one never queued, one whose worker was lost as the queue ended it.
 * The store keeps the first start and the first end, so a path that records an end another already
 * recorded changes nothing.
 */
export interface JobEnds<D> {
  readonly store: JobLog;
  /** The record's start of a job, from its data; `startedAt` is when it was asked for (no worker took it). */
  start(id: string, data: D): JobStart;
}

/** A burn's record, as its worker begins it (src/jobs/burn.ts) and as an end outside a worker writes it. */
export function burnStart(id: string, data: Pick<BurnJobData, 'image' | 'drive' | 'requester' | 'requestedAt'>, startedAt = requested(data.requestedAt)): JobStart {
  return { id, kind: 'burn', summary: `burn of ${data.image} on ${data.drive}`, requester: data.requester.name, requesterKey: data.requester.key, startedAt };
}

/** A deploy's (or a declared run command's) record: a run command's job names its command, whose roles decide who sees it. */
export function deployStart(id: string, data: Pick<DeployJobData, 'target' | 'ref' | 'requester' | 'requestedAt' | 'run'>, startedAt = requested(data.requestedAt)): JobStart {
  const summary = data.run ? `/${data.target}${data.ref ? ` ${data.ref}` : ''}` : `deploy of ${data.target} ${data.ref}`;
  return { id, kind: 'deploy', summary, requester: data.requester.name, requesterKey: data.requester.key, ...(data.run ? { command: data.target } : {}), startedAt };
}

export const burnEnds = (store: JobLog): JobEnds<BurnJobData> => ({ store, start: (id, d) => burnStart(id, d) });
export const deployEnds = (store: JobLog): JobEnds<DeployJobData> => ({ store, start: (id, d) => deployStart(id, d) });

/**
 * Records the end of a job that no worker reports: its start (unless one is there) and its end.
 * A store that fails is logged; this never rejects, as a worker's record never fails its job.
 */
export async function recordEnd(store: JobLog | undefined, start: JobStart, outcome: JobOutcome, result: string, log: Logger): Promise<boolean> {
  if (!store) return true;
  try {
    await store.begin(start);
    await store.end(start.id, { outcome, result, endedAt: new Date() });
    return true;
  } catch (err) {
    log.warn({ err, jobId: start.id, outcome }, 'job end not recorded');
    return false;
  }
}

function requested(at: string): Date {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? new Date() : d;
}

