import type { Logger } from 'pino';
import { LiveThread } from '../core/live-thread.js';
import type { ThreadRef, ThreadTransport } from '../core/thread.js';
import type { Transports } from '../relay/transports.js';
import type { JobOutcome } from '../services/job-log/types.js';
import type { JobQueue, JobView } from '../services/queue/jobs.js';
import { recordEnd, type JobEnds } from './job-ends.js';

export const WORKER_LOST_STATUS = 'worker lost; waiting for another to pick it up';
export const WORKER_GONE_TEXT = 'its worker was lost and the queue gave the job up; what became of it is not known';

export interface LostWatch {
  stop(): void;
}

/**
 * Tells a job's thread when its worker stops reporting (killed, host gone, stopped): one line,
 * "worker lost; waiting for another to pick it up (job …)", and the live status says so instead of
 * a frozen bar. Every process with the queue looks every `everyMs`; the first one that can post
 * on the thread's platform takes the loss (JobQueue.claimLoss), so the line is posted once.
 * The worker that takes the job over re-attaches and says what happened meanwhile (docs/burn.md).
 * A job whose worker had told its end before it went silent gets no line: its thread has ended.
 *
 * A silent job the queue has ended meanwhile (BullMQ gives up a job whose workers died more than
 * `maxStalledCount` times) had no worker to report its end: the process that takes that loss records
 * the end from the queue's view and ends the thread; one whose worker did report it changes nothing
 * (the record keeps its first end, docs/web.md "Job history and output").
 */
export function watchLostWorkers<D extends { readonly thread: ThreadRef }>(
  queue: Pick<JobQueue<D, unknown, unknown>, 'silent' | 'claimLoss' | 'endSilence' | 'releaseLoss' | 'endTold'>,
  transports: Transports,
  log: Logger,
  everyMs: number,
  ends?: JobEnds<D>,
): LostWatch {
  if (!queue.silent || !queue.claimLoss) return { stop: () => undefined };
  let busy = false;
  const check = async () => {
    for (const job of (await queue.silent?.()) ?? []) {
      const ref = job.view.data.thread;
      const id = job.view.id;
      // Only a process with the platform's own transport can reach the thread itself (a relay alone reaches watchers).
      const transport = transports.local(ref.platform) && transports.get(ref.platform);
      if (!transport) continue;
      const ended = job.view.state === 'finished' || job.view.state === 'failed';
      // Its worker told the thread its end and was lost before the queue recorded it: the next worker settles it without a word (src/jobs/final-line.ts).
      // A mark that cannot be read now counts as not told: the watch goes on with the other jobs.
      if (!ended && (await queue.endTold?.(id).catch(() => false))) continue;
      if (!(await queue.claimLoss?.(job))) continue;
      if (ended) {
        // Dropped only once its end is known to be recorded; otherwise given back, for the next look.
        if (await endedSilently(job.view, transport, log, ends)) await queue.endSilence?.(id);
        else await queue.releaseLoss?.(job);
        continue;
      }
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

/**
 * A job the queue ended while its worker was silent: its end, once, unless its worker recorded one.
 * False when that could not be settled now (the record could not be read or written): the loss is tried again.
 */
async function endedSilently<D extends { readonly thread: ThreadRef }>(view: JobView<D, unknown, unknown>, transport: ThreadTransport, log: Logger, ends: JobEnds<D> | undefined): Promise<boolean> {
  let had: Awaited<ReturnType<JobEnds<D>['store']['get']>>;
  try {
    had = await ends?.store.get(view.id);
  } catch (err) {
    log.warn({ err, jobId: view.id }, 'could not read a silent job\'s record; tried again later');
    return false;
  }
  // Its worker ended it and stopped before clearing its heartbeat: the thread and the record know already.
  if (had?.endedAt) return true;
  const { outcome, text } = endOf(view);
  log.warn({ jobId: view.id, outcome, error: view.error }, 'a job ended while its worker was silent');
  if (ends && !(await recordEnd(ends.store, ends.start(view.id, view.data), outcome, text, log))) return false;
  // A worker that ended it itself told the thread; one the queue gave up is told here (without a record, it cannot be known which).
  if (outcome === 'lost' && ends) await LiveThread.reopen(transport, view.data.thread, log).finish('✘ worker lost', `${WORKER_GONE_TEXT} (job ${view.id})`).catch((err: unknown) => log.warn({ err, jobId: view.id }, 'could not tell a lost job\'s thread'));
  return true;
}

/** How the queue says a job ended: a failed job whose worker was silent was given up; a finished one says its own outcome. */
function endOf(view: JobView<unknown, unknown, unknown>): { outcome: JobOutcome; text: string } {
  if (view.state === 'failed') return { outcome: 'lost', text: `${WORKER_GONE_TEXT}${view.error ? ` (${view.error})` : ''}` };
  const r = view.result;
  const said = typeof r === 'object' && r !== null ? (r as { ok?: unknown; outcome?: unknown; message?: unknown }) : {};
  const outcome: JobOutcome = said.ok === true ? 'ok' : said.outcome === 'cancelled' ? 'cancelled' : 'failed';
  return { outcome, text: typeof said.message === 'string' && said.message ? said.message : `ended ${outcome}` };
}
