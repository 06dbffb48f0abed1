import { reply } from '../core/reply.js';
import { WorkerStopping } from '../services/queue/worker-stopping.js';
import type { Principal } from '../core/principal.js';
import type { JobProcessor } from '../services/queue/jobs.js';
import type { Post } from './types.js';

export interface JobFailure {
  readonly kind: 'burn' | 'deploy';
  readonly id: string;
  /** `ubuntu.iso on dvd1`, `flaskr main`. */
  readonly what: string;
  readonly requester: Principal;
  readonly message: string;
}

export type JobFailedHook = (f: JobFailure) => Promise<void>;

/** The post for a failed job: what failed, whose it was, why; the listed principals are mentioned. */
export function jobFailurePost(f: JobFailure, mentions: readonly string[]): Post {
  const text = `✘ ${f.kind} of ${f.what} failed (job ${f.id}, requested by ${f.requester.name}): ${f.message}`;
  return { reply: reply(text, { visibility: 'channel' }), mentions };
}

/**
 * Wraps a job processor so a job that fails is also reported through `hook`. A processor ends a
 * failed job by throwing; a `WorkerStopping` error only means this process is shutting
 * down and another worker takes the job over, so it is not a failure. The hook runs in the one
 * worker that ran the job, so a failure is posted once whichever replica ran it.
 */
export function reportFailures<D, R, P>(
  kind: JobFailure['kind'],
  describe: (data: D) => { what: string; requester: Principal },
  processor: JobProcessor<D, R, P>,
  hook: JobFailedHook | undefined,
): JobProcessor<D, R, P> {
  if (!hook) return processor;
  return async (id, data, progress, previous, final) => {
    try {
      return await processor(id, data, progress, previous, final);
    } catch (err) {
      if (!(err instanceof WorkerStopping)) {
        await hook({ kind, id, ...describe(data), message: err instanceof Error ? err.message : String(err) }).catch(() => undefined);
      }
      throw err;
    }
  };
}
