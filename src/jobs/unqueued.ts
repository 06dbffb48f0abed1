import type { Logger } from 'pino';
import { LiveThread } from '../core/live-thread.js';
import type { ThreadRef } from '../core/thread.js';
import type { Transports } from '../relay/transports.js';
import type { JobQueue } from '../services/queue/jobs.js';
import { recordEnd, type JobEnds } from './job-ends.js';

export const UNQUEUED_TEXT = 'the bot that took this request stopped before the job was queued; nothing was queued or run. Ask again';

/**
 * How old an opening must be before the sweep takes it for a dead replica's: longer than a live request
 * takes from its thread to the queue (a few seconds at most), and never shorter than a worker's lock.
 */
export function unqueuedAfterMs(lockDurationMs: number): number {
  return Math.max(lockDurationMs, 10_000);
}

export interface UnqueuedWatch {
  stop(): void;
}

/**
 * A replica killed between posting a job's thread and queueing the job leaves a thread with no job
 * (docs/hosting.md, "What a SIGKILL loses"). Its opening record stays in the queue's Redis; every
 * process looks every `everyMs`, and the first to claim an opening older than `olderThanMs` whose
 * job is not queued undoes what the dead replica began (`abandon`: the deploy lock) and finishes the
 * thread "✘ not queued", once.
 */
export function watchUnqueued<D extends { readonly thread: ThreadRef }>(
  queue: Pick<JobQueue<D, unknown, unknown>, 'staleOpenings' | 'claimOpening'>,
  transports: Transports,
  log: Logger,
  o: { readonly everyMs: number; readonly olderThanMs: number; readonly abandon: (id: string, data: D) => Promise<void>; readonly ends?: JobEnds<D> },
): UnqueuedWatch {
  if (!queue.staleOpenings || !queue.claimOpening) return { stop: () => undefined };
  let busy = false;
  const check = async () => {
    for (const { id, data } of (await queue.staleOpenings?.(o.olderThanMs)) ?? []) {
      // One opening that cannot be handled now (Redis away a moment) does not stop the sweep of the others.
      await sweepOne(id, data).catch((err: unknown) => log.warn({ err, jobId: id }, 'could not sweep a job\'s opening; tried again next time'));
    }
  };
  const sweepOne = async (id: string, data: D) => {
    const transport = transports.local(data.thread.platform) && transports.get(data.thread.platform);
    if (!transport || !(await queue.claimOpening?.(id))) return;
    log.warn({ jobId: id }, 'a job was left between its thread and the queue (its process stopped); its thread is told');
    await o.abandon(id, data).catch((err: unknown) => log.warn({ err, jobId: id }, 'could not undo an unqueued job'));
    if (o.ends) await recordEnd(o.ends.store, o.ends.start(id, data), 'not_queued', UNQUEUED_TEXT, log);
    await LiveThread.reopen(transport, data.thread, log).finish('✘ not queued', UNQUEUED_TEXT).catch((err: unknown) => log.warn({ err, jobId: id }, 'could not tell an unqueued job\'s thread'));
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void check()
      .catch((err: unknown) => log.debug({ err }, 'could not look for unqueued jobs'))
      .finally(() => (busy = false));
  }, o.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
