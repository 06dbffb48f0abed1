import type { Logger } from 'pino';
import { LiveThread } from '../core/live-thread.js';
import type { ThreadRef } from '../core/thread.js';
import type { Transports } from '../relay/transports.js';
import type { JobQueue } from '../services/queue/jobs.js';
import { recordEnd, type JobEnds } from './job-ends.js';

type Queue<D> = Pick<JobQueue<D, unknown, unknown>, 'list' | 'removeQueued' | 'close'> & { idle(): Promise<void> };

/**
 * The demo runs its jobs in its own process, so quitting with jobs under way cancels them
 * (docs/console.md, "Quitting"), and each thread says so: nothing new starts, a queued job is
 * dropped with "cancelled before it started", a running one is cancelled at the agent and reports
 * its own "cancelled" before the agent goes (not "failed" or "lost track" when the agent closes).
 * Each end is recorded too (`ends`), the dropped ones here and the running ones by their worker.
 */
export async function cancelOnQuit<D extends { readonly thread: ThreadRef }>(
  queue: Queue<D>,
  cancel: (id: string, data: D) => Promise<void>,
  kind: 'burn' | 'deploy',
  transports: Transports,
  log: Logger,
  ends?: JobEnds<D>,
): Promise<void> {
  await queue.close();
  for (const j of await queue.list()) {
    if (j.state === 'running') {
      // Its worker reports the cancelled end, in the thread and the record.
      await cancel(j.id, j.data).catch((err: unknown) => log.warn({ err, jobId: j.id }, 'could not cancel a running job on quitting'));
    } else if ((await queue.removeQueued(j.id)) === 'removed') {
      const text = `${kind} cancelled before it started: the demo quit`;
      if (ends) await recordEnd(ends.store, ends.start(j.id, j.data), 'cancelled', text, log);
      const transport = transports.get(j.data.thread.platform);
      if (transport) await LiveThread.reopen(transport, j.data.thread, log).finish('✘ cancelled', text).catch(() => undefined);
    }
  }
  await queue.idle();
}
