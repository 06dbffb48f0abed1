import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import * as zmq from 'zeromq';
import { startAgentProcess } from './agent-process.js';
import { row, type Bench } from './report.js';

// Steady state: 200 warm-up requests left the JIT cold, so p99 measured compilation, not the path
// (3000 samples put p99 at the 30 slowest). 2000 per side and 10000 samples measure the path.
const N = 10_000;
const WARMUP = 2_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timeInto(out: number[], once: () => Promise<unknown>): Promise<void> {
  const t = process.hrtime.bigint();
  await once();
  out.push(Number(process.hrtime.bigint() - t) / 1e6);
}

interface Side {
  readonly once: () => Promise<unknown>;
  close(): Promise<void>;
}

/** A bare ROUTER echo in its own process: no CURVE, no JSON, no validation. Prints its endpoint. */
const ECHO = `
import * as zmq from 'zeromq';
const router = new zmq.Router({ linger: 0 });
await router.bind('tcp://127.0.0.1:*');
process.stdout.write(router.lastEndpoint + '\\n');
for await (const [peer, msg] of router) await router.send([peer, msg]);
`;

/** Bare DEALER/ROUTER on loopback, the echo in another process as an agent is: the floor to compare with. */
async function bare(): Promise<Side> {
  const echo = spawn(process.execPath, ['--input-type=module', '-e', ECHO], { cwd: join(import.meta.dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(echo.stdout, 'data')) as [Buffer];
  const dealer = new zmq.Dealer({ linger: 0 });
  dealer.connect(line.toString().trim());
  return {
    once: async () => {
      await dealer.send('{"v":1,"id":"1","op":"hello"}');
      await dealer.receive();
    },
    close: async () => {
      dealer.close();
      echo.kill('SIGKILL');
    },
  };
}

/**
 * The real path: DeviceClient.hello() → CURVE → `opsline agent` in its own process (zod, handler) →
 * reply → pending-request map. Two processes, as deployed: the agent's work is not on this event loop.
 */
async function curve(): Promise<Side> {
  const agent = await startAgentProcess('a', () => []);
  return { once: () => agent.client.hello('a'), close: () => agent.close() };
}

export const agentRttBench: Bench = {
  name: 'agent-rtt',
  description: `request round trip on loopback, ${N} sequential requests: DeviceClient over CURVE vs bare DEALER/ROUTER`,
  async run() {
    const sides = [await bare(), await curve()];
    const [b, c]: number[][] = [[], []];
    try {
      for (const side of sides) for (let i = 0; i < WARMUP; i++) await side.once();
      // One for one, in turns that swap who goes first: a stall of the machine (2 cores here, six
      // threads between the processes and libzmq) lands on both sides alike. Blocks of 100 let a
      // 10 ms hiccup fall on one side's block and moved p99 by ±40 % from run to run.
      for (let i = 0; i < N; i++) {
        const order = i % 2 === 0 ? ([0, 1] as const) : ([1, 0] as const);
        for (const k of order) await timeInto(k === 0 ? b! : c!, sides[k]!.once);
      }
    } finally {
      for (const side of sides) await side.close();
    }
    b!.sort((x, y) => x - y);
    c!.sort((x, y) => x - y);
    return [50, 99].map((p) => row(`device request round trip over CURVE p${p}`, percentile(c!, p), 'ms', percentile(b!, p), '≤ 1.5× bare DEALER/ROUTER', (_v, r) => r !== null && r <= 1.5));
  },
};
