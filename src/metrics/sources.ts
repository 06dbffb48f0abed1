import { Gauge } from 'prom-client';
import type { JobState } from '../services/queue/jobs.js';
import type { AgentState, DeviceClient } from '../services/devices/types.js';
import type { Metrics } from './metrics.js';

const JOB_STATES: readonly JobState[] = ['queued', 'running', 'finished', 'failed'];
const AGENT_STATES: readonly AgentState[] = ['connecting', 'up', 'down', 'refused'];

export interface MetricSources {
  /** Job queues by kind (`burn`, `deploy`): read on each scrape. */
  readonly queues: ReadonlyMap<string, { list(): Promise<readonly { state: JobState }[]> }>;
  readonly devices?: DeviceClient;
  /** Each chat adapter and whether its connection is up now (HTTP-mode adapters are always up). */
  readonly adapters: () => Promise<ReadonlyMap<string, boolean>>;
  /** Each dependency check of `/readyz` (mysql, redis, vault, agent:<name>, …) and whether it passes now. */
  readonly dependencies: () => Promise<ReadonlyMap<string, boolean>>;
  /** Whether this process takes commands (`/readyz` 200): started and not stopping. */
  readonly ready: () => boolean;
  /** Audit records written but not yet stored. */
  readonly auditPending: () => number;
}

/** Gauges read at scrape time, so they never go stale between events. */
export function addSources(m: Metrics, src: MetricSources): void {
  const registers = [m.registry];
  new Gauge({
    name: 'opsline_jobs',
    help: 'Jobs in the queues by kind and state',
    labelNames: ['kind', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      for (const [kind, queue] of src.queues) {
        const jobs = await queue.list().catch(() => undefined);
        if (!jobs) continue;
        for (const state of JOB_STATES) this.set({ kind, state }, jobs.filter((j) => j.state === state).length);
      }
    },
  });
  new Gauge({
    name: 'opsline_agent_state',
    help: 'Each device agent: 1 for its current state, 0 for the others',
    labelNames: ['agent', 'state'] as const,
    registers,
    collect() {
      this.reset();
      for (const a of src.devices?.agents() ?? []) for (const state of AGENT_STATES) this.set({ agent: a.name, state }, a.state === state ? 1 : 0);
    },
  });
  new Gauge({
    name: 'opsline_agent_round_trip_seconds',
    help: 'Round trip of a hello request to each agent that is up, measured at scrape',
    labelNames: ['agent'] as const,
    registers,
    async collect() {
      this.reset();
      const devices = src.devices;
      if (!devices) return;
      await Promise.all(
        devices.agents().filter((a) => a.state === 'up').map(async (a) => {
          const started = process.hrtime.bigint();
          if (await devices.hello(a.name).then(() => true, () => false)) this.set({ agent: a.name }, Number(process.hrtime.bigint() - started) / 1e9);
        }),
      );
    },
  });
  new Gauge({
    name: 'opsline_adapter_connected',
    help: 'Each chat adapter: 1 while its connection (Socket Mode, Discord gateway) is up',
    labelNames: ['adapter'] as const,
    registers,
    async collect() {
      this.reset();
      for (const [adapter, up] of await src.adapters()) this.set({ adapter }, up ? 1 : 0);
    },
  });
  new Gauge({
    name: 'opsline_dependency_up',
    help: 'Each shared dependency /readyz reports (mysql, redis, vault, agent:<name>, slack, discord): 1 while its check passes',
    labelNames: ['dependency'] as const,
    registers,
    async collect() {
      this.reset();
      for (const [dependency, up] of await src.dependencies()) this.set({ dependency }, up ? 1 : 0);
    },
  });
  new Gauge({
    name: 'opsline_ready',
    help: 'This process takes commands (started, not stopping); dependencies never change it',
    registers,
    collect() {
      this.set(src.ready() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'opsline_audit_pending',
    help: 'Audit records written but not yet stored in MySQL',
    registers,
    collect() {
      this.set(src.auditPending());
    },
  });
}
