import type { Logger } from 'pino';
import { LiveThread } from '../core/live-thread.js';
import type { ThreadRef } from '../core/thread.js';
import type { Transports } from '../relay/transports.js';
import type { JobQueue } from '../services/queue/jobs.js';
import type { StaleOpening } from '../services/queue/opening.js';
import { msg } from '../core/message.js';
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
 * (docs/hosting.md, "What a SIGKILL loses"). Its opening record stays in the queue's Redis, written
 * before the thread's root was posted; every process looks every `everyMs`, and the first to claim an
 * opening not refreshed for `olderThanMs` whose job is not queued undoes what the dead replica began
 * (`abandon`: the deploy lock) and ends the thread "✘ not queued", once. When the root's id never
 * reached the record (killed while or just after posting it), the message goes to the channel instead,
 * naming the job, which the orphaned root names too.
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
    for (const stale of (await queue.staleOpenings?.(o.olderThanMs)) ?? []) {
      // One opening that cannot be handled now (Redis away a moment) does not stop the sweep of the others.
      await sweepOne(stale).catch((err: unknown) => log.warn({ err, jobId: stale.id }, 'could not sweep a job\'s opening; tried again next time'));
    }
  };
  const sweepOne = async (stale: StaleOpening<D>) => {
    const { id, data, intent } = stale;
    const platform = data?.thread.platform ?? intent?.platform;
    // Only a process that talks to the platform itself posts there; the others leave the opening to it.
    const local = platform !== undefined && transports.local(platform);
    const transport = local && transports.get(platform);
    if (!local || !transport || !(await queue.claimOpening?.(stale))) return;
    log.warn({ jobId: id, rootPosted: data !== undefined }, 'a job was left between its thread and the queue (its process stopped); its thread or channel is told');
    if (data === undefined) {
      // The channel message is this process's own post, not a thread's update: no relay, no web page follows it.
      if (!intent || !local.postChannel) return log.warn({ jobId: id, platform }, 'a job left before its thread was recorded cannot be told on this platform');
      const told = local.postChannel(intent.channel, intent.requester, msg`${intent.what} (job ${id}): ${UNQUEUED_TEXT}`);
      return void (await told.catch((err: unknown) => log.warn({ err, jobId: id }, 'could not tell an unqueued job\'s channel')));
    }
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
