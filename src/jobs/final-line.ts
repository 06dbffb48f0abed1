import { UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { LiveThread } from '../core/live-thread.js';
import type { ThreadRef } from '../core/thread.js';
import type { Transports } from '../relay/transports.js';
import type { JobLog, JobStart } from '../services/job-log/types.js';
import type { JobProcessor, Settled } from '../services/queue/jobs.js';
import { recordEnd } from './job-ends.js';

/** Added to a final line posted again: the worker that posted it first was lost before it heard back. */
export const TOLD_AGAIN = '(said again: the worker that ended this job stopped while posting this line, so it may be above already)';

/** A final line as the thread shows it: the job page's link after the worker's words. */
export function finalText(text: string, page: string | undefined): string {
  return page ? `${text} · full output: ${page}` : text;
}

/** Ends a job with the queue as it was settled: its result, or a failure that is never retried. */
export function settle<R>(s: Settled<R>): R {
  if ('error' in s) throw new UnrecoverableError(s.error);
  return s.result;
}

export interface TellOnceDeps<D> {
  readonly transports: Transports;
  readonly log: Logger;
  readonly jobLog?: JobLog;
  readonly jobUrl?: (id: string) => string | undefined;
  /** The job's record start, should the worker before this one have been lost before it recorded the end. */
  readonly start: (id: string, data: D) => JobStart;
}

/**
 * A job's end is told once, whichever worker ends it (docs/hosting.md, "What a SIGKILL loses"). A
 * worker lost after it decided the job's end but before BullMQ recorded it leaves the job stalled,
 * and the next worker would run it again: a burn or a command re-attaches and tells the agent's result
 * a second time, and a webhook ends "may have been sent" under its own "finished ✔". Here the next
 * worker reads the lost one's end mark first (ThreadReporter.finish writes it) and runs nothing:
 *
 * - `told`: the final line was posted; the job is settled as told, without a word.
 * - `decided`: the line was not posted yet: it is posted now, as the lost worker worded it.
 * - `posting`: whether the line reached the thread is not known: it is posted again, saying so
 *   (TOLD_AGAIN). This is the one window left where a thread can show its end twice.
 *
 * The job is settled as the lost worker decided, and its end recorded (the record keeps the first end,
 * so one recorded already stays).
 */
export function tellOnce<D extends { readonly thread: ThreadRef }, R, P>(deps: TellOnceDeps<D>, processor: JobProcessor<D, R, P>): JobProcessor<D, R, P> {
  return async (id, data, progress, previous, final) => {
    const had = final?.previous;
    if (!had) return processor(id, data, progress, previous, final);
    const log = deps.log.child({ jobId: id });
    await recordEnd(deps.jobLog, deps.start(id, data), had.outcome, had.text, log);
    if (had.state === 'told') {
      log.info({ outcome: had.outcome }, 'the previous worker told this job\'s end before it was lost; settled as told');
      return settle(had.settled);
    }
    log.warn({ outcome: had.outcome, state: had.state }, 'the previous worker was lost while telling this job\'s end; told here');
    const transport = deps.transports.get(data.thread.platform);
    const text = had.state === 'posting' ? `${had.text} ${TOLD_AGAIN}` : had.text;
    await final.posting();
    if (transport)
      await LiveThread.reopen(transport, data.thread, log)
        .finish(had.status, finalText(text, deps.jobUrl?.(id)))
        .catch((err: unknown) => log.warn({ err }, 'final message not posted'));
    await final.told();
    return settle(had.settled);
  };
}
