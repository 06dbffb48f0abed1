import { writeFile } from 'node:fs/promises';
import { envNumber } from './http-load.js';
import { dropPrefix, productionWorld, REDIS_URL } from './production-endpoint.js';
import { connectRedis } from '../src/redis/connect.js';
import { failedRow, limitRow, type Bench, type Row } from './report.js';
import { runFleet, type FleetResult } from './fleet/run.js';
import { startFleetWorld, type FleetSize } from './fleet/world.js';

/** The sizes a row is printed for (OPSLINE_FLEET_SIZES=5,20,50 by default); growth is read from the first to the last. */
const SIZES = (process.env.OPSLINE_FLEET_SIZES ?? '5,20,50').split(',').map(Number).filter((n) => n > 0);
const JOBS = { burns: envNumber('OPSLINE_FLEET_BURNS', 50), deploys: envNumber('OPSLINE_FLEET_DEPLOYS', 50), workers: envNumber('OPSLINE_FLEET_WORKERS', 5) };
const TIMEOUT_MS = envNumber('OPSLINE_FLEET_TIMEOUT_S', 180) * 1000;

/**
 * The limits each size is held to (none is a measurement: docs/testing.md, "fleet"). Growth limits
 * are per agent added, from the smallest size to the largest: what lets a team read off 200 agents.
 */
export const FLEET_LIMITS = {
  startP99Ms: 2_000,
  rssMb: 300,
  cores: 1,
  redisKbPerJob: 16,
  /**
   * Redis connections a process may hold beyond one per lane (each Worker's blocking connection):
   * the shared Queue and Worker connections, the job index, locks, relay, access (docs/hosting.md).
   */
  redisConnectionsBeyondLanes: 20,
  growth: { startP99Ms: 20, rssMb: 1, cores: 0.01, redisKbPerJob: 0.1, redisConnections: 0.1 },
} as const;

const busiest = (r: FleetResult, f: (u: FleetResult['workers'][number]) => number) => Math.max(...r.workers.map(f));

/**
 * The measures a row is printed for, at each size and (with `growth`) as growth per agent. A worker's
 * peak RSS has no growth row: it follows the jobs that worker took (BullMQ hands each lane's job to
 * whichever worker Redis wakes first, anywhere from none to all 100), not the agents; what agents add
 * to a worker is read once it listens, before any job (docs/testing.md, "fleet").
 */
const MEASURES: readonly { name: string; unit: string; of: (r: FleetResult) => number; limit: number; growth?: number }[] = [
  { name: 'enqueue → agent start p99', unit: 'ms', of: (r) => r.startMs.p99, limit: FLEET_LIMITS.startP99Ms, growth: FLEET_LIMITS.growth.startP99Ms },
  { name: 'bot peak RSS', unit: 'MB', of: (r) => r.bot.peakRssMb, limit: FLEET_LIMITS.rssMb, growth: FLEET_LIMITS.growth.rssMb },
  { name: 'bot CPU over the run', unit: 'cores', of: (r) => r.bot.meanCores, limit: FLEET_LIMITS.cores, growth: FLEET_LIMITS.growth.cores },
  { name: 'largest worker RSS listening, before any job', unit: 'MB', of: (r) => busiest(r, (u) => u.listeningRssMb), limit: FLEET_LIMITS.rssMb, growth: FLEET_LIMITS.growth.rssMb },
  { name: 'largest worker peak RSS', unit: 'MB', of: (r) => busiest(r, (u) => u.peakRssMb), limit: FLEET_LIMITS.rssMb },
  { name: 'busiest worker CPU over the run', unit: 'cores', of: (r) => busiest(r, (u) => u.meanCores), limit: FLEET_LIMITS.cores, growth: FLEET_LIMITS.growth.cores },
  { name: 'Redis memory per job', unit: 'KB', of: (r) => r.redisBytesPerJob / 1024, limit: FLEET_LIMITS.redisKbPerJob, growth: FLEET_LIMITS.growth.redisKbPerJob },
];

/** Redis connections per process: the lanes (every process works every lane) set the limit, the agents must not. */
const CONNECTIONS: readonly { name: string; of: (r: FleetResult) => number }[] = [
  { name: 'bot Redis connections', of: (r) => r.redisConnections.bot },
  { name: 'largest worker Redis connections', of: (r) => Math.max(...r.redisConnections.workers) },
];

/** One size's rows: every job queued and started, then each measure under its limit. */
export function sizeRows(r: FleetResult, jobs: number): Row[] {
  const at = `fleet ${r.agents} agents`;
  const most = r.lanes + FLEET_LIMITS.redisConnectionsBeyondLanes;
  return [
    limitRow(`${at}: jobs queued and started by an agent`, Math.min(r.queued, r.startedCount), 'jobs', jobs, `all ${jobs}`, (v) => v === jobs),
    ...MEASURES.map((m) => limitRow(`${at}: ${m.name}`, m.of(r), m.unit, m.limit, `< ${m.limit} ${m.unit}`, (v) => v < m.limit)),
    ...CONNECTIONS.map((c) => limitRow(`${at}: ${c.name}`, c.of(r), 'connections', most, `≤ ${r.lanes} lanes + ${FLEET_LIMITS.redisConnectionsBeyondLanes}`, (v) => v <= most)),
  ];
}

/** Growth per agent added, from the smallest size measured to the largest. */
export function growthRows(small: FleetResult, large: FleetResult): Row[] {
  const added = large.agents - small.agents;
  return MEASURES.flatMap((m) => {
    const most = m.growth;
    if (most === undefined) return [];
    const perAgent = (m.of(large) - m.of(small)) / added;
    return [limitRow(`fleet growth ${small.agents} → ${large.agents} agents: ${m.name}, per agent`, perAgent, `${m.unit}/agent`, most, `≤ ${most} ${m.unit} per agent added`, (v) => v <= most)];
  }).concat(
    CONNECTIONS.map((c) => {
      const perAgent = (c.of(large) - c.of(small)) / added;
      const most = FLEET_LIMITS.growth.redisConnections;
      return limitRow(`fleet growth ${small.agents} → ${large.agents} agents: ${c.name}, per agent`, perAgent, 'connections/agent', most, `≤ ${most} per agent added`, (v) => v <= most);
    }),
  );
}

async function oneSize(agents: number, db: string): Promise<FleetResult> {
  const size: FleetSize = { agents, ...JOBS };
  const prefix = `opsline-bench-fleet-${process.pid}-${agents}`;
  const world = await startFleetWorld(size, db, prefix);
  const redis = connectRedis(REDIS_URL, { role: 'bench-fleet', profile: 'command' });
  try {
    const r = await runFleet(world, redis, agents, TIMEOUT_MS);
    const workers = r.workers.map((u) => `${u.jobs} jobs, ${u.listeningRssMb.toFixed(0)} → ${u.peakRssMb.toFixed(0)} MB/${u.meanCores.toFixed(2)} cores`).join('; ');
    process.stderr.write(`  ${agents} agents: ${r.queued} queued, ${r.startedCount} started; start p50 ${r.startMs.p50} ms p99 ${r.startMs.p99} ms (taken by a worker p50 ${r.takenMs.p50} p99 ${r.takenMs.p99}, then to the agent p50 ${r.toAgentMs.p50} p99 ${r.toAgentMs.p99}); bot ${r.bot.jobs} jobs, ${r.bot.peakRssMb.toFixed(0)} MB/${r.bot.meanCores.toFixed(2)} cores; workers (jobs ended, RSS listening → peak/CPU) ${workers}; agent host ${r.host.meanCores.toFixed(2)} cores (busiest 5 s ${r.host.peakCores.toFixed(2)}); Redis ${(r.redisBytesPerJob / 1024).toFixed(1)} KB/job; Redis connections: bot ${r.redisConnections.bot}, workers ${r.redisConnections.workers.join(', ')} (${r.lanes} lanes); last reply after ${r.lastReplyMs} ms${r.refused.length ? `; not queued, e.g. ${r.refused[0]}` : ''}\n`);
    return r;
  } finally {
    // The bot's and the workers' logs, for reading a miss.
    const logs = process.env.OPSLINE_FLEET_LOGS;
    if (logs) await writeFile(`${logs}-${agents}.log`, [world.bot.output(), ...world.workers.map((w) => w.output())].join('\n----\n'));
    redis.disconnect();
    await world.close();
    await dropPrefix(prefix);
  }
}

export const fleetBench: Bench = {
  name: 'fleet',
  description: `${JOBS.burns} burns and ${JOBS.deploys} deploys at once through opsline start (Slack HTTP) and ${JOBS.workers} opsline workers, with ${SIZES.join(', ')} agents over CURVE`,
  async run() {
    const world = await productionWorld();
    const results: FleetResult[] = [];
    const rows: Row[] = [];
    try {
      for (const agents of SIZES) {
        const r = await oneSize(agents, world.db).catch((err: unknown) => err as Error);
        if (r instanceof Error) rows.push(failedRow(`fleet ${agents} agents`, r));
        else {
          results.push(r);
          rows.push(...sizeRows(r, JOBS.burns + JOBS.deploys));
        }
      }
    } finally {
      await world.close();
    }
    if (results.length >= 2) rows.push(...growthRows(results[0]!, results.at(-1)!));
    return rows;
  },
};
