import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Transports } from '../relay/transports.js';
import { BurnService } from '../services/burns.js';
import { createDeviceClient } from '../services/devices/index.js';
import type { DeviceClient } from '../services/devices/types.js';
import { burnLanes, type BurnJobData, type BurnProcessor, type BurnQueue } from '../services/queue/types.js';
import { BullBurnQueue } from '../services/queue/bullmq.js';
import { MemoryBurnQueue } from '../services/queue/memory.js';
import { burnProcessor } from './burn.js';
import { BurnWorkers } from './workers.js';
import { watchLostWorkers } from './lost-workers.js';
import { unqueuedAfterMs, watchUnqueued } from './unqueued.js';
import { cancelOnQuit } from './cancel-on-quit.js';
import type { JobLog } from '../services/job-log/types.js';
import { burnEnds } from './job-ends.js';
import { jobPageUrl } from '../services/web/index.js';
import { reportFailures, type JobFailedHook } from '../schedules/job-failures.js';

/** A device agent running in this process (the demo's, src/demo/agent.ts), with a client to it. */
export interface InProcessAgent {
  readonly client: DeviceClient;
  readonly drives: readonly { agent: string; drive: string }[];
  close(): Promise<void>;
}

export interface Burns {
  readonly service: BurnService;
  /** Starts this process's workers; call it once the platform transports are registered. */
  startWorkers(): Promise<void>;
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The burn machinery: with `agents` and `redis` configured, the ZeroMQ client and BullMQ queues (and
 * workers unless turned off); in the demo, an in-process agent and queue; otherwise nothing.
 */
export async function buildBurns(
  config: Config,
  opts: {
    log: Logger;
    /** Starts the demo's in-process agent; given only in demo mode, so other runs never load demo code. */
    demoAgent?: (log: Logger) => Promise<InProcessAgent>;
    given?: { devices: DeviceClient; queue: BurnQueue }; notice?: (text: string) => void; failed?: JobFailedHook; jobLog?: JobLog },
  transports: Transports,
): Promise<Burns | undefined> {
  const log = opts.log;
  if (opts.demoAgent) {
    // The rest of the demo works without xorriso; say why burns are off instead of not starting.
    const agent = await opts.demoAgent(log).catch((err: unknown) => {
      opts.notice?.(`burns, images, drives and deploys are off in this demo: ${(err as Error).message}`);
      return undefined;
    });
    if (!agent) return undefined;
    const queue = new MemoryBurnQueue();
    const service = new BurnService(agent.client, queue);
    return {
      service,
      startWorkers: async () =>
        queue.work(burnLanes(agent.drives), withFailures(burnProcessor({ devices: agent.client, transports, log, cancelRequested: (id) => queue.cancelRequested(id), jobLog: opts.jobLog, jobUrl: jobPageUrl(config) }), opts.failed)),
      idle: () => queue.idle(),
      async close() {
        await cancelOnQuit(queue, (id, d) => agent.client.cancel(d.agent, id), 'burn', transports, log, opts.jobLog && burnEnds(opts.jobLog));
        await agent.close();
      },
    };
  }
  const heartbeatMs = config.jobs.heartbeatMs;
  const staleAfterMs = unqueuedAfterMs(config.jobs.lockDurationMs);
  if (opts.given) return withWorkers(opts.given.devices, opts.given.queue, transports, log, heartbeatMs, staleAfterMs, opts.failed, opts.jobLog, jobPageUrl(config));
  const devices = createDeviceClient(config, log);
  if (!devices) return undefined;
  const redis = config.redis;
  if (!redis) throw new Error('unreachable: the config schema requires redis with agents');
  const queue = new BullBurnQueue({ ...redis, ...config.jobs, log });
  return withWorkers(devices, queue, transports, log, heartbeatMs, staleAfterMs, opts.failed, opts.jobLog, jobPageUrl(config));
}

async function withWorkers(devices: DeviceClient, queue: BurnQueue, transports: Transports, log: Logger, heartbeatMs: number, staleAfterMs: number, failed?: JobFailedHook, jobLog?: JobLog, jobUrl?: (id: string) => string | undefined): Promise<Burns> {
  const service = new BurnService(devices, queue);
  let workers: BurnWorkers | undefined;
  let stopping = false;
  // Every process with the queue watches, workers or not: the one left alive tells the thread.
  const ends = jobLog && burnEnds(jobLog);
  const lost = watchLostWorkers(queue, transports, log, heartbeatMs / 2, ends);
  // A burn whose replica died between its thread and the queue: its thread is ended "✘ not queued" (src/jobs/unqueued.ts).
  const unqueued = watchUnqueued(queue, transports, log, { everyMs: heartbeatMs / 2, olderThanMs: staleAfterMs, abandon: async () => {}, ...(ends ? { ends } : {}) });
  return {
    service,
    async startWorkers() {
      const cancelRequested = (id: string) => queue.cancelRequested(id);
      workers ??= new BurnWorkers(service, withFailures(burnProcessor({ devices, transports, log, stopping: () => stopping, cancelRequested, jobLog, jobUrl }), failed), log);
      await workers.start();
    },
    idle: async () => {},
    async close() {
      stopping = true;
      lost.stop();
      unqueued.stop();
      workers?.stop();
      await queue.close();
      await devices.close();
    },
  };
}

/** A failed burn is also posted to `jobFailures` when configured (docs/schedules.md). */
function withFailures(processor: BurnProcessor, failed: JobFailedHook | undefined): BurnProcessor {
  return reportFailures('burn', (d: BurnJobData) => ({ what: `${d.image} on ${d.drive}`, requester: d.requester }), processor, failed);
}
