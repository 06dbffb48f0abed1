import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Transports } from '../relay/transports.js';
import { MemoryDeployStore } from '../services/deploy/memory-store.js';
import { RedisDeployStore } from '../services/deploy/redis-store.js';
import { DeployService } from '../services/deploy/service.js';
import { DECLARED_RUN_LANE, DEPLOY_KIND, type DeployJobData, type DeployProgress, type DeployQueue, type DeployResult, type DeployStore } from '../services/deploy/types.js';
import type { DeviceClient } from '../services/devices/types.js';
import { BullJobQueue } from '../services/queue/bull-jobs.js';
import { MemoryJobQueue } from '../services/queue/memory-jobs.js';
import type { Secrets } from '../services/secrets/index.js';
import { deployProcessor } from './deploy.js';
import { watchLostWorkers } from './lost-workers.js';
import { unqueuedAfterMs, watchUnqueued } from './unqueued.js';
import { cancelOnQuit } from './cancel-on-quit.js';
import type { JobLog } from '../services/job-log/types.js';
import { deployEnds } from './job-ends.js';
import { jobPageUrl } from '../services/web/index.js';
import { reportFailures, type JobFailedHook } from '../schedules/job-failures.js';

export interface Deploys {
  readonly service: DeployService;
  startWorkers(): Promise<void>;
  /** Waits for deploys running in this process (in-process queue only: the demo finishes them before it exits). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface DeployOptions {
  readonly log: Logger;
  /** The agents' client (the burn machinery's, or the demo agent's), for command targets. */
  readonly devices?: DeviceClient;
  readonly secrets?: Secrets;
  readonly masked: readonly string[];
  /** Told about every deploy that fails (jobFailures, docs/schedules.md). */
  readonly failed?: JobFailedHook;
  /** Why command targets cannot run here (the demo without xorriso); they are refused with it. */
  readonly devicesOff?: string;
  /** The demo: its deploys run in this process, so closing cancels them (and their threads say so). */
  readonly demo?: boolean;
  /** The durable job history and output (docs/web.md). */
  readonly jobLog?: JobLog;
}

/**
 * The deploy machinery, from `deploy.targets`: with `redis`, BullMQ queues (one per target) and
 * Redis locks, so every replica sees one lock; without it (the demo, a single console) both live
 * in this process.
 */
export function buildDeploys(config: Config, opts: DeployOptions, transports: Transports): Deploys | undefined {
  const targets = config.deploy?.targets ?? [];
  // Declared run commands in job form run on this queue too, with no deploy target. It is built
  // whenever there are agents to run them on, so a reload (SIGHUP) may add the first one, and every
  // worker process already works its lane (docs/commands.md, "run: a command on an agent").
  if (targets.length === 0 && !hasRunJobs(config) && !opts.devices) return undefined;
  const log = opts.log.child({ service: 'deploy' });
  let queue: DeployQueue;
  let store: DeployStore;
  let memory: MemoryJobQueue<DeployJobData, DeployResult, DeployProgress> | undefined;
  let stopping = false;
  // A target deploys one job at a time; declared run jobs of different commands run side by side, up to
  // jobs.runConcurrency across all workers (the agent runs one job per command; a second one waits).
  const laneConcurrency = (lane: string) => (lane === DECLARED_RUN_LANE ? config.jobs.runConcurrency : 1);
  if (config.redis) {
    queue = new BullJobQueue<DeployJobData, DeployResult, DeployProgress>({ ...config.redis, ...config.jobs, laneConcurrency, log }, DEPLOY_KIND);
    store = new RedisDeployStore(config.redis, config.redis.prefix, log);
  } else {
    queue = memory = new MemoryJobQueue<DeployJobData, DeployResult, DeployProgress>(DEPLOY_KIND, laneConcurrency);
    store = new MemoryDeployStore();
  }
  const service = new DeployService(targets, queue, store, opts.devices, opts.devicesOff);
  const ends = opts.jobLog && deployEnds(opts.jobLog);
  const lost = watchLostWorkers(queue, transports, log, config.jobs.heartbeatMs / 2, ends);
  const unqueued = watchUnqueued(queue, transports, log, {
    ...(ends ? { ends } : {}),
    everyMs: config.jobs.heartbeatMs / 2,
    olderThanMs: unqueuedAfterMs(config.jobs.lockDurationMs),
    abandon: (id, d) => service.releaseFor(d.target, id, 1),
  });
  return {
    service,
    async startWorkers() {
      const processor = deployProcessor({
        service,
        devices: opts.devices,
        secrets: opts.secrets,
        masked: opts.masked,
        transports,
        log,
        ...(opts.jobLog ? { jobLog: opts.jobLog } : {}),
        jobUrl: jobPageUrl(config),
        cancelRequested: (id) => queue.cancelRequested(id),
        // In process (the demo) there is no next worker to leave a job to: cancel-on-quit ends it instead.
        stopping: () => stopping && !memory,
      });
      const describe = (d: DeployJobData) => ({ what: `${d.target} ${d.ref}`, requester: d.requester });
      queue.work([...targets.map((t) => t.name), DECLARED_RUN_LANE], reportFailures('deploy', describe, processor, opts.failed));
    },
    idle: async () => memory?.idle(),
    async close() {
      stopping = true;
      lost.stop();
      unqueued.stop();
      if (memory && opts.demo) await cancelOnQuit(memory, async (id, d) => void (await (d.run ? service.cancelOnAgent(d.run.agent, id) : service.cancelRunning(service.target(d.target), id))), 'deploy', transports, log, ends);
      await queue.close();
      await store.close();
    },
  };
}

/** Whether the config declares a `kind: run` command in job form (`quick: false`), which runs on the deploy queue. */
export function hasRunJobs(config: Config): boolean {
  return (config.commands ?? []).some((c) => c.kind === 'run' && !c.quick);
}
