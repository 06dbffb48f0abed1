import type { App } from '../../src/app/main.js';
import type { Fleet, Target } from './fleet.js';
import { endedRight, type BurnTrace } from './measure.js';
import { sampleProc, type ProcUsage } from './proc-sampler.js';
import { watchBurn } from './progress-watch.js';

export interface ScaleOptions {
  readonly agents: number;
  readonly drivesPerAgent: number;
  readonly speed: string;
  readonly imageBytes: number;
  /** Channels the burns are spread over (1: all in one channel, the hard case for per-channel limits). */
  readonly channels: number;
  /** How long to wait for every thread to end before measuring what there is. */
  readonly timeoutMs: number;
}

export interface ScenarioSpec {
  readonly app: App;
  readonly fleet: Fleet;
  readonly options: ScaleOptions;
  /** `/burn` of one target through the platform's starter, in this process; resolves with the reply text. */
  dispatch(t: Target, i: number): Promise<string>;
  traces(targets: readonly Target[]): BurnTrace[];
  /** How the requester is mentioned in the final line. */
  readonly mention: string;
  /** Every call the platform double recorded, and those it answered 429. */
  calls(): { total: number; limited: number };
}

export interface ScenarioResult {
  readonly traces: readonly BurnTrace[];
  readonly ended: number;
  readonly runEnd: number;
  readonly wallMs: number;
  readonly calls: { total: number; limited: number };
  readonly usage: ProcUsage;
  /** Replies to /burn that were not "queued". */
  readonly refused: readonly string[];
}

export type PlatformResult = ScenarioResult & { readonly editIntervalMs: number };

const QUEUED = /^burn job (b[a-z0-9]{6}) queued/;

/**
 * Waits for every agent, starts one `opsline worker`, dispatches every target's `/burn` at once, and
 * waits until every thread has its final line, or every job has left the queue, or `timeoutMs`;
 * meanwhile it samples the worker's CPU and memory.
 */
export async function runScenario(s: ScenarioSpec): Promise<ScenarioResult> {
  const burns = s.app.services.burns;
  if (!burns) throw new Error('burns are not configured');
  // The bot's device client connects by itself; until every agent answers, /burn would say "unavailable".
  for (const end = Date.now() + 30_000; ; await sleep(200)) {
    const agents = await burns.drives();
    if (agents.every((a) => a.drives.length === s.options.drivesPerAgent)) break;
    if (Date.now() > end) throw new Error(`agents not ready: ${JSON.stringify(agents.map((a) => [a.agent, a.state, a.error]))}`);
  }
  const worker = await s.fleet.startWorker();
  const usage = sampleProc(worker.pid!);
  const t0 = Date.now();
  const watches: ReturnType<typeof watchBurn>[] = [];
  const replies = await Promise.all(
    s.fleet.targets.map(async (t, i) => {
      const reply = await s.dispatch(t, i).catch((err: unknown) => `dispatch failed: ${String(err)}`);
      const id = QUEUED.exec(reply)?.[1];
      if (id) watches[i] = watchBurn(burns.devices, t.agent, id, t0 + s.options.timeoutMs);
      return reply;
    }),
  );
  const refused = replies.filter((r) => !QUEUED.test(r));
  const want = s.fleet.targets.length - refused.length;
  const traces = () => s.traces(s.fleet.targets).map((t, i) => ({ ...t, timeline: watches[i]?.timeline }));
  const finals = () => traces().filter((t) => t.posts.some((p) => p.startsWith(`${s.mention} `))).length;
  // A job leaves the queue once its final line was sent or given up on (the processor awaits it).
  while (finals() < want && (await burns.queue.list()).length > 0 && Date.now() - t0 < s.options.timeoutMs) await sleep(1_000);
  const runEnd = Date.now();
  for (const w of watches) w?.stop();
  const all = traces();
  return { traces: all, ended: all.filter((t) => endedRight(t, s.mention)).length, runEnd, wallMs: runEnd - t0, calls: s.calls(), usage: usage.stop(), refused };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
