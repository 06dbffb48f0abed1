import type { Redis } from 'ioredis';
import { signedPost, slashBody } from '../../test/helpers/slack-request.js';
import { ackText, prepared } from '../http-load.js';
import { pct } from '../report.js';
import { rssMb, sampleProc, type ProcUsage } from '../scale/proc-sampler.js';
import { REDIS_URL } from '../production-endpoint.js';
import { jobsEnded, jobTimes, prefixBytes, queueOf, redisConnections, workersPerQueue } from './measure.js';
import { REQUESTER, SIGNING_SECRET, type FleetWorld } from './world.js';

export interface FleetResult {
  readonly agents: number;
  /** Jobs whose reply said queued, and of those, how many an agent started. */
  readonly queued: number;
  readonly startedCount: number;
  /** BullMQ's `timestamp` (the bot's Queue.add) → the agent's `started` log line, per started job. */
  readonly startMs: { readonly p50: number; readonly p99: number };
  /** The same, in two parts, for reading a miss: enqueue → a worker took the job (BullMQ's `processedOn`), and → the agent's line. */
  readonly takenMs: { readonly p50: number; readonly p99: number };
  readonly toAgentMs: { readonly p50: number; readonly p99: number };
  /** `opsline start` works every lane too, so it takes some of the jobs (its `jobs`). */
  readonly bot: ProcUsage & { readonly jobs: number };
  readonly workers: readonly WorkerUsage[];
  /** The agent host's (all the agents in one process: a bench artefact, not opsline). */
  readonly host: ProcUsage;
  /** Redis bytes under the fleet's prefix after every job ended, minus before the first was asked for, ÷ jobs queued. */
  readonly redisBytesPerJob: number;
  /** From sending every ask to the last reply that came on a response_url (0 when every ack carried its reply). */
  readonly lastReplyMs: number;
  /** Replies that did not say queued (a few, for reading a miss). */
  readonly refused: readonly string[];
  /** The lanes every process works (one BullMQ queue each, and one blocking connection each). */
  readonly lanes: number;
  /** Redis connections each process holds: the more of once every worker listens and once every job has ended. */
  readonly redisConnections: { readonly bot: number; readonly workers: readonly number[] };
}

/**
 * A worker's share of the run: what it held once it listened on every lane, before the first command
 * (its agent connections, lanes and code: what agents add), and the jobs it ended (what its peak
 * depends on: docs/testing.md, "fleet").
 */
export interface WorkerUsage extends ProcUsage {
  /** VmRSS once every worker listens on every lane, before the first command is sent. */
  readonly listeningRssMb: number;
  /** Jobs of this run the worker ended (its `job finished` log lines). */
  readonly jobs: number;
}

const REDIS_PORT = Number(new URL(REDIS_URL).port || 6379);

const QUEUED = /(burn|deploy) job ([bd][a-z0-9]{6}) (?:queued on (\S+)\/(\S+?)(?:[ ,.]|$)|of (\S+) at \S+ queued)/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until every worker listens on every lane, then sends every ask at once as a signed slash
 * command to the bot, each from a channel of its own (Slack paces posts per channel, about one a
 * second, docs/rate-limits.md: in one channel, 100 thread roots alone would take 100 s), and waits until every queued job has ended (or `timeoutMs`), sampling the
 * bot's and each worker's CPU and memory meanwhile.
 */
export async function runFleet(world: FleetWorld, redis: Redis, agents: number, timeoutMs: number): Promise<FleetResult> {
  const queues = [...new Set(world.asks.map(queueOf))];
  // Once a second: CLIENT LIST walks every connection on the (shared) Redis.
  for (const end = Date.now() + 120_000; ; await sleep(1_000)) {
    const counts = await workersPerQueue(redis, world.prefix, queues);
    if (counts.every((c) => c >= world.workers.length)) break;
    if (Date.now() > end) throw new Error(`workers not on every lane: ${counts.filter((c) => c < world.workers.length).length} of ${queues.length} lanes short`);
  }
  const pids = [world.bot.pid, ...world.workers.map((w) => w.pid!)];
  const connectionsAtReady = await Promise.all(pids.map((pid) => redisConnections(pid, REDIS_PORT)));
  const listening = world.workers.map((w) => rssMb(w.pid!));
  const before = await prefixBytes(redis, world.prefix);
  const samplers = [...pids, world.hostPid].map((pid) => sampleProc(pid));
  const url = `${world.bot.base}/slack/events`;
  const sends = world.asks.map((a, i) => {
    const body = slashBody({ command: a.command, text: a.text, user_id: REQUESTER.userId, user_name: 'olga', team_id: 'T1', channel_id: `C${i + 1}`, response_url: world.slack.responseUrl(`fleet-${i}`) });
    return prepared(url, signedPost(body, SIGNING_SECRET), true);
  });
  const sent = Date.now();
  const answers = await Promise.all(sends.map((send) => send().then((a) => a.body, (err: unknown) => `send failed: ${String(err)}`)));
  // The reply is the ack's text, or (when the ack came first) a post to the response_url.
  const texts = answers.map((b) => replyText(b));
  const late = () => world.slack.calls.filter((c) => c.method === 'response_url').map((c) => String(c.body.text ?? ''));
  const jobs = new Map<string, string>();
  const collect = () => {
    for (const t of [...texts, ...late()]) {
      const m = QUEUED.exec(t);
      if (m) jobs.set(m[2]!, m[1] === 'burn' ? `burn.${m[3]}.${m[4]}` : `deploy.${m[5]}`);
    }
  };
  const start = Date.now();
  for (collect(); Date.now() - start < timeoutMs; await sleep(250)) {
    collect();
    // Every ask is answered once: in its ack, or (when the ack went first) on its response_url.
    if (texts.filter(Boolean).length + late().length < world.asks.length) continue;
    const times = await Promise.all([...jobs].map(([id, q]) => jobTimes(redis, world.prefix, q, id)));
    if (times.every((t) => t.finishedAt !== undefined)) break;
  }
  const usage = samplers.map((s) => s.stop());
  const connections = (await Promise.all(pids.map((pid) => redisConnections(pid, REDIS_PORT)))).map((n, i) => Math.max(n, connectionsAtReady[i]!));
  const lastReply = Math.max(0, ...world.slack.calls.filter((c) => c.method === 'response_url').map((c) => c.at - sent));
  const after = await prefixBytes(redis, world.prefix);
  const starts: number[] = [];
  const taken: number[] = [];
  const toAgent: number[] = [];
  for (const [id, q] of jobs) {
    const at = world.started.get(id);
    if (at === undefined) continue;
    const t = await jobTimes(redis, world.prefix, q, id);
    starts.push(at - t.queuedAt);
    taken.push(t.takenAt - t.queuedAt);
    toAgent.push(at - t.takenAt);
  }
  const ids = new Set(jobs.keys());
  const refused = [...texts, ...late()].filter((t) => t && !QUEUED.test(t)).slice(0, 3);
  return {
    agents,
    queued: jobs.size,
    startedCount: starts.length,
    startMs: { p50: pct(starts, 50), p99: pct(starts, 99) },
    takenMs: { p50: pct(taken, 50), p99: pct(taken, 99) },
    toAgentMs: { p50: pct(toAgent, 50), p99: pct(toAgent, 99) },
    bot: { ...usage[0]!, jobs: jobsEnded(world.bot.output(), ids) },
    workers: usage.slice(1, -1).map((u, i) => ({ ...u, listeningRssMb: listening[i]!, jobs: jobsEnded(world.workers[i]!.output(), ids) })),
    host: usage.at(-1)!,
    redisBytesPerJob: jobs.size ? (after - before) / jobs.size : NaN,
    lastReplyMs: lastReply,
    refused,
    // And the deploy queue's lane for declared run commands, which every process works too (src/jobs/deploy-setup.ts).
    lanes: queues.length + 1,
    redisConnections: { bot: connections[0]!, workers: connections.slice(1) },
  };
}

function replyText(body: string): string {
  return ackText(body) ?? body;
}

