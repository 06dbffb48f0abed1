import { UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { LiveThread } from '../core/live-thread.js';
import type { Transports } from '../core/thread.js';
import type { BurnResult, DeviceClient, JobStream } from '../services/devices/types.js';
import type { BurnJobData, BurnProcessor } from '../services/queue/types.js';
import { duration, renderProgress } from './progress.js';
import { ThreadReporter } from './reporter.js';

export const AGENT_LOST = 'device agent lost during burn; the disc may be unusable';

export interface BurnDeps {
  readonly devices: DeviceClient;
  readonly transports: Transports;
  readonly log: Logger;
  /** True once this process is shutting down: a stream cut by the shutdown is not the burn's end. */
  readonly stopping?: () => boolean;
}

/** Thrown when this process stops mid-job: the job stays active, its lock lapses, another worker re-attaches. */
export class WorkerStopping extends Error {}

/**
 * Runs one burn job. The agent is the source of truth: the job first asks the agent about its id,
 * so a job handed over after a worker died re-attaches to the running burn (or reports its result)
 * instead of burning again. Nothing here is retried.
 */
export function burnProcessor(deps: BurnDeps): BurnProcessor {
  return async (id, data, progress) => {
    const log = deps.log.child({ jobId: id, agent: data.agent, drive: data.drive });
    const transport = deps.transports.get(data.thread.platform);
    if (!transport) log.warn({ platform: data.thread.platform }, 'no transport for this thread here; the burn runs without chat progress');
    const out = new ThreadReporter(transport && LiveThread.reopen(transport, data.thread, log), log);
    let stream: JobStream;
    // On a re-attach, the phase already announced in the thread: do not announce it twice.
    let phase: string | undefined;
    try {
      ({ stream, phase } = await open(deps.devices, id, data, out));
    } catch (err) {
      if (deps.stopping?.()) throw new WorkerStopping('stopping before the burn was handed to the agent');
      await out.finish(`✘ failed`, `burn of ${data.image} on ${data.drive} could not start: ${(err as Error).message}`);
      throw new UnrecoverableError((err as Error).message);
    }
    const started = Date.now();
    for await (const e of stream) {
      if (e.type === 'progress') {
        if (e.phase !== phase) {
          phase = e.phase;
          await out.milestone(e.phase === 'writing' ? `writing ${data.image} to ${data.drive}` : `${e.phase}…`);
        }
        progress(e);
        out.status(renderProgress(e));
      } else if (e.type === 'log') {
        log.debug({ line: e.line }, 'agent log');
      } else if (e.type === 'agent' && e.state === 'down') {
        stream.close();
        await out.finish('✘ agent lost', `${AGENT_LOST} (${data.image} on ${data.drive})`);
        throw new UnrecoverableError(AGENT_LOST);
      } else if (e.type === 'error') {
        await out.finish('✘ failed', `burn of ${data.image} on ${data.drive} failed: ${e.message}`);
        throw new UnrecoverableError(e.message);
      } else if (e.type === 'done') {
        stream.close();
        await report(out, data, e.result, (Date.now() - started) / 1000);
        if (!e.result.ok && e.result.outcome !== 'cancelled') throw new UnrecoverableError(e.result.message);
        return e.result;
      }
    }
    // A graceful stop closes the device client under us: say nothing, the next worker re-attaches.
    if (deps.stopping?.()) throw new WorkerStopping('this worker is stopping; the burn goes on at the agent');
    await out.finish('✘ failed', `lost track of the burn of ${data.image} on ${data.drive}`);
    throw new UnrecoverableError('job stream ended without a result');
  };
}

async function open(devices: DeviceClient, id: string, data: BurnJobData, out: ThreadReporter): Promise<{ stream: JobStream; phase?: string }> {
  const known = await devices.status(data.agent, id);
  if (known.state === 'unknown') {
    return { stream: await devices.burn(data.agent, { jobId: id, image: data.image, drive: data.drive, verify: data.verify }) };
  }
  if (known.state === 'running') await out.milestone('re-attached to the running burn (the previous worker stopped)');
  return { stream: await devices.watch(data.agent, id), phase: known.state === 'running' ? known.progress?.phase : undefined };
}

async function report(out: ThreadReporter, data: BurnJobData, r: BurnResult, seconds: number): Promise<void> {
  if (r.verified && r.imageSha256) {
    const same = r.imageSha256 === r.driveSha256;
    await out.milestone(`${same ? 'verified ✔' : 'verify ✘'} image sha256 ${r.imageSha256}, disc sha256 ${r.driveSha256 ?? '?'}`);
  } else if (r.outcome === 'verify_mismatch') {
    await out.milestone(`verify ✘ image sha256 ${r.imageSha256 ?? '?'}, disc sha256 ${r.driveSha256 ?? '?'}`);
  }
  if (r.ejected === true) await out.milestone('ejected');
  else if (r.ejected === 'no-op') await out.milestone('eject skipped: a pseudo-drive has no tray');
  const what = `${data.image} on ${data.drive}`;
  if (r.outcome === 'ok') await out.finish(`✔ done in ${duration(seconds)}`, `burn of ${what} finished ✔${r.verified ? ' (verified)' : ''}`);
  else if (r.outcome === 'cancelled') await out.finish('✘ cancelled', `burn of ${what} was cancelled; the disc may be unusable`);
  else await out.finish(`✘ ${r.outcome.replace('_', ' ')}`, `burn of ${what} failed: ${r.message}`);
}
