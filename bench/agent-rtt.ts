import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import * as zmq from 'zeromq';
import { AgentServer } from '../src/agent/server.js';
import { ZmqDeviceClient } from '../src/services/devices/client.js';
import { row, type Bench } from './report.js';

// Steady state: 200 warm-up requests left the JIT cold, so p99 measured compilation, not the path
// (3000 samples put p99 at the 30 slowest). 2000 per side and 10000 samples measure the path.
const N = 10_000;
const WARMUP = 2_000;
/** Both sides run in alternating blocks, so load from anything else on the machine hits both alike. */
const BLOCK = 100;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timeInto(out: number[], n: number, once: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await once();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
}

interface Side {
  readonly once: () => Promise<unknown>;
  close(): Promise<void>;
}

/** Bare DEALER/ROUTER echo on loopback: no CURVE, no JSON, no validation. The floor to compare with. */
async function bare(): Promise<Side> {
  const router = new zmq.Router({ linger: 0 });
  await router.bind('tcp://127.0.0.1:*');
  const dealer = new zmq.Dealer({ linger: 0 });
  dealer.connect(router.lastEndpoint!);
  void (async () => {
    try {
      for await (const [peer, msg] of router) await router.send([peer!, msg!]);
    } catch {
      // closed
    }
  })();
  return {
    once: async () => {
      await dealer.send('{"v":1,"id":"1","op":"hello"}');
      await dealer.receive();
    },
    close: async () => {
      dealer.close();
      router.close();
    },
  };
}

/** The real path: DeviceClient.hello() → CURVE → agent (zod, handler) → reply → pending-request map. */
async function curve(): Promise<Side> {
  const dir = await mkdtemp(join(tmpdir(), 'opsline-bench-rtt-'));
  const server = zmq.curveKeyPair();
  const client = zmq.curveKeyPair();
  const log = pino({ level: 'silent' });
  const agent = await AgentServer.start({
    bind: 'tcp://127.0.0.1:*',
    keys: { public: server.publicKey, secret: server.secretKey },
    allowedClients: [client.publicKey],
    imagesDir: dir,
    stateDir: join(dir, 'state'),
    drives: [],
    log,
  });
  const c = new ZmqDeviceClient([{ name: 'a', endpoint: agent.endpoint, serverKey: server.publicKey }], { public: client.publicKey, secret: client.secretKey }, log);
  return {
    once: () => c.hello('a'),
    close: async () => {
      await c.close();
      await agent.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const agentRttBench: Bench = {
  name: 'agent-rtt',
  description: `request round trip on loopback, ${N} sequential requests: DeviceClient over CURVE vs bare DEALER/ROUTER`,
  async run() {
    const sides = [await bare(), await curve()];
    const [b, c]: number[][] = [[], []];
    try {
      for (const side of sides) await timeInto([], WARMUP, side.once);
      for (let done = 0; done < N; done += BLOCK) {
        await timeInto(b!, BLOCK, sides[0]!.once);
        await timeInto(c!, BLOCK, sides[1]!.once);
      }
    } finally {
      for (const side of sides) await side.close();
    }
    b!.sort((x, y) => x - y);
    c!.sort((x, y) => x - y);
    return [50, 99].map((p) => row(`device request round trip over CURVE p${p}`, percentile(c!, p), 'ms', percentile(b!, p), '≤ 1.5× bare DEALER/ROUTER', (_v, r) => r !== null && r <= 1.5));
  },
};
