import type { Logger } from 'pino';
import { LiveThread } from '../core/live-thread.js';
import type { Transports } from '../relay/transports.js';
import { DeviceError } from '../services/devices/errors.js';
import type { BurnResult, DeviceClient, JobStream, Phase, Progress } from '../services/devices/types.js';
import type { BurnJobData, BurnProcessor } from '../services/queue/types.js';
import { digestMilestone, duration, RateSmoother, renderProgress } from './progress.js';
import { ThreadReporter } from './reporter.js';
import { WorkerStopping } from '../services/queue/worker-stopping.js';
import type { JobLog } from '../services/job-log/types.js';
import { JobRecorder } from './job-recorder.js';
import { burnStart } from './job-ends.js';
import { tellOnce } from './final-line.js';
import type { Settled } from '../services/queue/jobs.js';

export const AGENT_LOST = 'device agent lost during burn; the disc may be unusable';

export interface BurnDeps {
  readonly devices: DeviceClient;
  readonly transports: Transports;
  readonly log: Logger;
  /** True once this process is shutting down: a stream cut by the shutdown is not the burn's end. */
  readonly stopping?: () => boolean;
  /** True when someone cancelled the job before the agent had it (see JobQueue.requestCancel). */
  readonly cancelRequested?: (id: string) => Promise<boolean>;
  /** The durable job history and output (docs/web.md), where kept. */
  readonly jobLog?: JobLog;
  /** A job's web page (`web.publicUrl`), for the thread's final line. */
  readonly jobUrl?: (id: string) => string | undefined;
}

/**
 * Runs one burn job. The agent is the source of truth: the job first asks the agent about its id,
 * so a job handed over after a worker died re-attaches to the running burn (or reports its result)
 * instead of burning again. Nothing here is retried.
 */
export function burnProcessor(deps: BurnDeps): BurnProcessor {
  return tellOnce({ ...deps, start: (id, data) => burnStart(id, data) }, async (id, data, progress, previous, final) => {
    const log = deps.log.child({ jobId: id, agent: data.agent, drive: data.drive });
    const transport = deps.transports.get(data.thread.platform);
    if (!transport) log.warn({ platform: data.thread.platform }, 'no transport for this thread here; the burn runs without chat progress');
    const record = deps.jobLog && new JobRecorder(deps.jobLog, id, burnStart(id, data, new Date()), log, (lines) => deps.transports.output(data.thread, lines));
    const out = new ThreadReporter<BurnResult>(transport && LiveThread.reopen(transport, data.thread, log), log, record, deps.jobUrl?.(id), final);
    // Whatever throws past the ends below (a stream that breaks, say) still ends the thread and the
    // record once; a stopping worker's job is not ended: the next worker re-attaches.
    try {
      let stream: JobStream;
      // On a re-attach, the phase already announced in the thread: do not announce it twice.
      let phase: string | undefined;
      try {
        const opened = await open(deps.devices, id, data, out, previous, () => deps.stopping?.() === true, () => deps.cancelRequested?.(id) ?? Promise.resolve(false));
        if (!opened) return await out.finish('cancelled', '✘ cancelled', `burn of ${data.image} on ${data.drive} was cancelled before it started`, { result: cancelledBeforeStart(data) });
        ({ stream, phase } = opened);
      } catch (err) {
        if (deps.stopping?.()) {
          await out.drain();
          throw new WorkerStopping('stopping before the burn was handed to the agent');
        }
        return await out.finish('failed', `✘ failed`, `burn of ${data.image} on ${data.drive} could not start: ${(err as Error).message}`, { error: (err as Error).message });
      }
      const smooth = new RateSmoother();
      for await (const e of stream) {
        if (e.type === 'progress') {
          if (e.phase !== phase) {
            phase = e.phase;
            out.milestone(phaseLine(data, e.phase));
          }
          progress(e);
          out.status(renderProgress(smooth.update(e)));
        } else if (e.type === 'log') {
          log.debug({ line: e.line }, 'agent log');
          out.output(e.line);
        } else if (e.type === 'agent' && e.state === 'down') {
          stream.close();
          return await out.finish('lost', '✘ agent lost', `${AGENT_LOST} (${data.image} on ${data.drive})`, { error: AGENT_LOST });
        } else if (e.type === 'error') {
          return await out.finish('failed', '✘ failed', `burn of ${data.image} on ${data.drive} failed: ${e.message}`, { error: e.message });
        } else if (e.type === 'done') {
          stream.close();
          // The agent's own start time: a worker that re-attached did not see the burn begin.
          return await report(out, data, e.result, (Date.parse(e.result.finishedAt) - Date.parse(e.result.startedAt)) / 1000);
        }
      }
      // A graceful stop closes the device client under us: say nothing, the next worker re-attaches.
      if (deps.stopping?.()) {
        await out.drain();
        throw new WorkerStopping('this worker is stopping; the burn goes on at the agent');
      }
      return await out.finish('lost', '✘ failed', `lost track of the burn of ${data.image} on ${data.drive}`, { error: 'job stream ended without a result' });
    } catch (err) {
      if (out.ended || err instanceof WorkerStopping) throw err;
      // A stream that breaks because this worker is stopping (its device client closed) is no failure: the next worker re-attaches.
      if (deps.stopping?.()) {
        await out.drain();
        throw new WorkerStopping('this worker is stopping; the burn goes on at the agent');
      }
      return await out.finish('failed', '✘ failed', `burn of ${data.image} on ${data.drive} failed: ${(err as Error).message}`, { error: (err as Error).message });
    }
  });
}

/** How often a job whose drive is still busy (with a burn this bot lost track of) asks again. */
const BUSY_RETRY_MS = 5000;

async function open(
  devices: DeviceClient,
  id: string,
  data: BurnJobData,
  out: ThreadReporter,
  previous: Progress | undefined,
  stopping: () => boolean,
  cancelled: () => Promise<boolean>,
): Promise<{ stream: JobStream; phase?: string } | undefined> {
  const known = await devices.status(data.agent, id);
  if (known.state === 'unknown') {
    for (;;) {
      if (await cancelled()) return undefined;
      try {
        return { stream: await devices.burn(data.agent, { jobId: id, image: data.image, drive: data.drive, verify: data.verify }) };
      } catch (err) {
        // After an "agent lost" the agent may in fact still be burning the previous job: wait for the
        // drive instead of failing every job queued behind it.
        if (!(err instanceof DeviceError) || err.agentCode !== 'busy' || stopping()) throw err;
        out.status(`waiting: ${err.message}`);
        await new Promise((r) => setTimeout(r, BUSY_RETRY_MS));
      }
    }
  }
  // Another worker started this burn and was lost: say what the agent did while nobody watched.
  out.milestone(known.state === 'running' ? 're-attached to the running burn (the previous worker stopped)' : 're-attached: the burn ended while no worker watched it (the previous worker stopped)');
  const reached = known.state === 'running' ? known.progress?.phase : lastPhase(known.result);
  for (const p of phasesAfter(previous?.phase, reached)) out.milestone(phaseLine(data, p));
  return { stream: await devices.watch(data.agent, id), phase: reached ?? previous?.phase };
}

const PHASES: readonly Phase[] = ['writing', 'verifying', 'ejecting'];

/** A phase's milestone line, as the thread shows it when the phase begins. */
function phaseLine(data: BurnJobData, phase: Phase): string {
  return phase === 'writing' ? `writing ${data.image} to ${data.drive}` : `${phase}…`;
}

/** The phases after `from` (the last one the thread was told; none: from the first) up to `to`, in order. */
function phasesAfter(from: Phase | undefined, to: Phase | undefined): Phase[] {
  if (to === undefined) return [];
  return PHASES.slice(from === undefined ? 0 : PHASES.indexOf(from) + 1, PHASES.indexOf(to) + 1);
}

/** The last phase a finished burn went through, read from its result. */
function lastPhase(r: BurnResult): Phase {
  if (r.ejected !== false) return 'ejecting';
  return r.verified || r.outcome === 'verify_mismatch' ? 'verifying' : 'writing';
}

/** The result of a job cancelled before the agent had it: nothing was written. */
function cancelledBeforeStart(data: BurnJobData): BurnResult {
  const now = new Date().toISOString();
  return { outcome: 'cancelled', ok: false, message: 'cancelled before it started', image: data.image, drive: data.drive, verified: false, ejected: false, startedAt: now, finishedAt: now };
}

/** Tells the agent's result and settles the job with it: a burn that failed fails its job. */
async function report(out: ThreadReporter<BurnResult>, data: BurnJobData, r: BurnResult, seconds: number): Promise<BurnResult> {
  if ((r.verified && r.imageSha256) || r.outcome === 'verify_mismatch') out.milestone(digestMilestone(r.imageSha256, r.driveSha256));
  if (r.ejected === true) out.milestone('ejected');
  else if (r.ejected === 'no-op') out.milestone('eject skipped: a pseudo-drive has no tray');
  const what = `${data.image} on ${data.drive}`;
  const settled: Settled<BurnResult> = r.ok || r.outcome === 'cancelled' ? { result: r } : { error: r.message };
  if (r.outcome === 'ok') return out.finish('ok', `✔ done in ${duration(seconds)}`, `burn of ${what} finished ✔${r.verified ? ' (verified)' : ''}`, settled);
  if (r.outcome === 'cancelled') return out.finish('cancelled', '✘ cancelled', `burn of ${what} was cancelled; the disc may be unusable`, settled);
  return out.finish('failed', `✘ ${r.outcome.replace('_', ' ')}`, `burn of ${what} failed: ${r.message}`, settled);
}
