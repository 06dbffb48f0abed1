import { join } from 'node:path';
import { pino } from 'pino';
import { startAgentProcess, type AgentProcess } from './agent-process.js';
import { limitRow, pct, row, type Bench } from './report.js';
import { LiveThread } from '../src/core/live-thread.js';
import { plainText, type Message } from '../src/core/message.js';
import { type ThreadRef, type ThreadTransport } from '../src/core/thread.js';
import { Transports } from '../src/relay/transports.js';
import type { Principal } from '../src/core/principal.js';
import { burnProcessor } from '../src/jobs/burn.js';
import { renderProgress } from '../src/jobs/progress.js';
import type { DeviceClient, JobStream } from '../src/services/devices/types.js';
import { BullBurnQueue } from '../src/services/queue/bullmq.js';
import { burnLanes, newJobId } from '../src/services/queue/types.js';
import { makeIso } from '../test/helpers/iso.js';

const RUNS = Number(process.env.BENCH_BURN_RUNS ?? 15);
const EDIT_INTERVAL_MS = 1500;
const log = pino({ level: 'silent' });
const requester: Principal = { key: 'console:bench', name: 'bench' };

/** Records when each status text was produced (from an agent event) and when it reached "chat". */
class TimingTransport implements ThreadTransport {
  readonly platform = 'bench';
  readonly editIntervalMs = EDIT_INTERVAL_MS;
  readonly produced = new Map<string, number>();
  readonly freshness: number[] = [];
  readonly milestones: { text: string; at: number }[] = [];
  /** When the agent accepted each burn (the `burn` request resolved), by job id. */
  readonly accepted = new Map<string, number>();
  #n = 0;
  async postReply(_ref: ThreadRef, text: Message): Promise<string> {
    this.milestones.push({ text: plainText(text), at: performance.now() });
    return String(++this.#n);
  }
  async edit(_ref: ThreadRef, _id: string, text: Message): Promise<void> {
    const at = this.produced.get(plainText(text));
    if (at !== undefined) this.freshness.push(performance.now() - at);
  }
  mention(who: Principal): string {
    return `@${who.name}`;
  }
}

/** Passes the agent's events through, noting when each progress text could first have been shown. */
function timed(devices: DeviceClient, t: TimingTransport): DeviceClient {
  const wrap = (s: JobStream): JobStream => {
    s.on((e) => {
      if (e.type === 'progress') t.produced.set(plainText(renderProgress(e)), performance.now());
    });
    return s;
  };
  return Object.assign(Object.create(devices) as DeviceClient, {
    burn: async (agent: string, req: Parameters<DeviceClient['burn']>[1]) => {
      const s = await devices.burn(agent, req);
      t.accepted.set(req.jobId, performance.now());
      return wrap(s);
    },
    watch: async (agent: string, id: string) => wrap(await devices.watch(agent, id)),
  });
}

/**
 * The agent in its own process (bench/agent-process.ts) with one pseudo-drive and `sample.iso`. In the
 * bench's process, the agent's fork and exec of xorriso would sit on the worker's event loop and be
 * timed as queue latency.
 */
async function agentProcess(imageBytes: number, speed?: string): Promise<AgentProcess & { drives: { agent: string; drive: string }[] }> {
  const drives = (dir: string) => [{ name: 'virtual', device: `stdio:${join(dir, 'drive.img')}`, ...(speed ? { speed } : {}) }];
  const agent = await startAgentProcess('demo', drives, (dir) => makeIso(join(dir, 'images'), 'sample.iso', { bytes: imageBytes }));
  return Object.assign(agent, { drives: [{ agent: 'demo', drive: 'virtual' }] });
}

export const burnBench: Bench = {
  name: 'burn',
  description: `enqueue → agent start latency (BullMQ vs a direct agent call), and progress freshness against the ${EDIT_INTERVAL_MS} ms edit interval`,
  async run() {
    const agent = await agentProcess(1024 * 1024);
    const prefix = `opsline-bench-${process.pid}`;
    const queue = new BullBurnQueue({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix, lockDurationMs: 30_000, stalledIntervalMs: 15_000, log });
    try {
      const t = new TimingTransport();
      const transports = new Transports();
      transports.add(t);
      queue.work(burnLanes(agent.drives), burnProcessor({ devices: timed(agent.client, t), transports, log }));
      const run = async (verify: boolean) => {
        const thread = await LiveThread.open({ startThread: async () => ({ platform: 'bench', channel: 'b', rootId: 'r', requester }) }, t, 'bench', 'queued');
        const before = t.milestones.length;
        const id = newJobId();
        const t0 = performance.now();
        await queue.add(id, { agent: 'demo', drive: 'virtual', image: 'sample.iso', verify, requester, thread: thread.ref, requestedAt: new Date().toISOString() });
        while (!t.milestones.slice(before).some((m) => m.text.startsWith('@bench'))) await new Promise((r) => setTimeout(r, 5));
        return (t.accepted.get(id) ?? NaN) - t0;
      };
      // Start latency: until the agent has accepted the burn. Baseline: the same request sent
      // directly, one for one with the queued runs (as agent-rtt does), so drift hits both alike.
      const sendDirect = async () => {
        const t0 = performance.now();
        const s = await agent.client.burn('demo', { jobId: newJobId(), image: 'sample.iso', drive: 'virtual', verify: false });
        const ms = performance.now() - t0;
        await s.result;
        s.close();
        return ms;
      };
      const direct: number[] = [];
      const queued: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        direct.push(await sendDirect());
        queued.push(await run(false));
      }
      // Freshness: one slow burn (throttled agent) so that many progress events arrive between edits.
      await queue.close();
      await agent.close();
      const slow = await agentProcess(6 * 1024 * 1024, '1000k');
      const slowQueue = new BullBurnQueue({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: `${prefix}-slow`, lockDurationMs: 30_000, stalledIntervalMs: 15_000, log });
      slowQueue.work(burnLanes(slow.drives), burnProcessor({ devices: timed(slow.client, t), transports, log }));
      const thread = await LiveThread.open({ startThread: async () => ({ platform: 'bench', channel: 'b', rootId: 'r', requester }) }, t, 'bench', 'queued');
      const before = t.milestones.length;
      await slowQueue.add(newJobId(), { agent: 'demo', drive: 'virtual', image: 'sample.iso', verify: false, requester, thread: thread.ref, requestedAt: new Date().toISOString() });
      while (!t.milestones.slice(before).some((m) => m.text.startsWith('@bench'))) await new Promise((r) => setTimeout(r, 20));
      await slowQueue.close();
      await slow.close();
      return [
        row('enqueue → agent start p50', pct(queued, 50), 'ms', pct(direct, 50), 'p50 < 20 ms (baseline: the burn request sent directly)', (v) => v < 20),
        limitRow('progress freshness p50 (agent event → chat edit)', pct(t.freshness, 50), 'ms', EDIT_INTERVAL_MS, '≤ 1× the edit interval (a limit, not a measurement)', (_v, r) => r !== null && r <= 1),
      ];
    } finally {
      await queue.close().catch(() => undefined);
      await agent.close().catch(() => undefined);
    }
  },
};
