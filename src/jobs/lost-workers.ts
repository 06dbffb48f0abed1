import type { Logger } from 'pino';
import { LiveThread } from '../core/live-thread.js';
import type { ThreadRef } from '../core/thread.js';
import type { Transports } from '../relay/transports.js';
import type { JobQueue } from '../services/queue/jobs.js';

export const WORKER_LOST_STATUS = 'worker lost; waiting for another to pick it up';

export interface LostWatch {
  stop(): void;
}

/**
 * Tells a job's thread when its worker stops reporting (killed, host gone, stopped): one line,
 * "worker lost; waiting for another to pick it up (job …)", and the live status says so instead of
 * a frozen bar. Every process with the queue looks every `everyMs`; the first one that can post
 * on the thread's platform takes the loss (JobQueue.claimLoss), so the line is posted once.
 * The worker that takes the job over re-attaches and says what happened meanwhile (docs/burn.md).
 */
export function watchLostWorkers<D extends { readonly thread: ThreadRef }>(
  queue: Pick<JobQueue<D, unknown, unknown>, 'silent' | 'claimLoss'>,
  transports: Transports,
  log: Logger,
  everyMs: number,
): LostWatch {
  if (!queue.silent || !queue.claimLoss) return { stop: () => undefined };
  let busy = false;
  const check = async () => {
    for (const job of (await queue.silent?.()) ?? []) {
      const ref = job.view.data.thread;
      // Only a process with the platform's own transport can reach the thread itself (a relay alone reaches watchers).
      const transport = transports.local(ref.platform) && transports.get(ref.platform);
      if (!transport || !(await queue.claimLoss?.(job))) continue;
      const id = job.view.id;
      log.warn({ jobId: id, silentMs: job.view.silentMs }, 'the worker of a running job stopped reporting');
      const thread = LiveThread.reopen(transport, ref, log);
      thread.status(WORKER_LOST_STATUS);
      await thread.milestone(`${WORKER_LOST_STATUS} (job ${id})`).catch(() => undefined);
      await thread.flush();
    }
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void check()
      .catch((err: unknown) => log.debug({ err }, 'could not look for lost workers'))
      .finally(() => (busy = false));
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
