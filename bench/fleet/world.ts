import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zmq from 'zeromq';
import { DEFAULT_REF_PATTERN } from '../../src/words/names.js';
import { freePort } from '../../test/helpers/agent-fixture.js';
import { startBotChild, type BotChild } from '../../test/helpers/bot-child.js';
import { makeIso } from '../../test/helpers/iso.js';
import { SlackDouble } from '../../test/helpers/slack-double.js';
import { REDIS_URL } from '../production-endpoint.js';
import { spawnOpsline, stopChild, type Child } from '../scale/child.js';
import { HOST_READY, type HostedAgent } from './agent-host.js';

export const SIGNING_SECRET = 'fleet-signing-secret-0123456789';
/** The one person who asks for everything: may burn and deploy. */
export const REQUESTER = { key: 'slack:T1:UOP', userId: 'UOP' };

export interface FleetSize {
  readonly agents: number;
  readonly burns: number;
  readonly deploys: number;
  readonly workers: number;
}

/** One command the bench sends: `/burn <image> <agent>/<drive>` or `/deploy <target> main`. */
export interface Ask {
  readonly command: '/burn' | '/deploy';
  readonly text: string;
}

export interface FleetWorld {
  readonly bot: BotChild;
  readonly workers: readonly Child[];
  readonly slack: SlackDouble;
  readonly asks: readonly Ask[];
  /** Every job's `started` line from the agents so far: job id → when (ms since the epoch). */
  readonly started: ReadonlyMap<string, number>;
  readonly prefix: string;
  close(): Promise<void>;
}

/**
 * The fleet at one size: `agents` real `AgentServer`s over CURVE in one agent-host process
 * (bench/fleet/agent-host.ts), `opsline start` (Slack HTTP, MySQL audit `db`, Redis) and `workers` ×
 * `opsline worker`, each in its own process, all sharing one config and a fresh Redis prefix. Each
 * burn has a drive (lane) of its own and each deploy a target of its own, spread round-robin over
 * the agents, so a job waits for nothing but the machinery: what is timed is the queue, not a
 * drive busy with the job before it.
 */
export async function startFleetWorld(size: FleetSize, db: string, prefix: string): Promise<FleetWorld> {
  const root = await mkdtemp(join(tmpdir(), 'opsline-bench-fleet-'));
  const stops: (() => Promise<unknown>)[] = [async () => rm(root, { recursive: true, force: true })];
  const close = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const client = zmq.curveKeyPair();
    const hosted: HostedAgent[] = [];
    const agents: { name: string; endpoint: string; serverKey: string; heartbeatMs: number }[] = [];
    const drivesOf = (i: number) => Math.ceil((size.burns - i) / size.agents);
    const commandsOf = (i: number) => Math.ceil((size.deploys - i) / size.agents);
    for (let i = 0; i < size.agents; i++) {
      const name = `a${i + 1}`;
      const dir = join(root, name);
      await mkdir(join(dir, 'images'), { recursive: true });
      await mkdir(join(dir, 'drives'));
      await makeIso(join(dir, 'images'), 'fleet.iso', { bytes: 64 * 1024 });
      const keys = zmq.curveKeyPair();
      const endpoint = `tcp://127.0.0.1:${await freePort()}`;
      const drives = Array.from({ length: drivesOf(i) }, (_, d) => ({ name: `d${d + 1}`, device: `stdio:${join(dir, 'drives', `d${d + 1}.img`)}` }));
      const commands = Object.fromEntries(Array.from({ length: commandsOf(i) }, (_, c) => [`c${c + 1}`, { argv: ['true', '{ref}'], refPattern: DEFAULT_REF_PATTERN, timeoutSec: 60 }]));
      hosted.push({ name, bind: endpoint, keys: { public: keys.publicKey, secret: keys.secretKey }, allowedClients: [client.publicKey], imagesDir: join(dir, 'images'), stateDir: join(dir, 'state'), drives, commands, heartbeatMs: 1000 });
      agents.push({ name, endpoint, serverKey: keys.publicKey, heartbeatMs: 1000 });
    }
    const asks: Ask[] = [];
    const targets: Record<string, unknown>[] = [];
    for (let n = 0; n < size.burns; n++) asks.push({ command: '/burn', text: `fleet.iso a${(n % size.agents) + 1}/d${Math.floor(n / size.agents) + 1}` });
    for (let n = 0; n < size.deploys; n++) {
      const target = `t${n + 1}`;
      targets.push({ name: target, kind: 'command', agent: `a${(n % size.agents) + 1}`, command: `c${Math.floor(n / size.agents) + 1}`, defaultRef: 'main' });
      asks.push({ command: '/deploy', text: `${target} main` });
    }
    const specPath = join(root, 'agents.json');
    await writeFile(specPath, JSON.stringify(hosted));
    const started = new Map<string, number>();
    const host = await startHost(specPath, started);
    stops.push(() => stopChild(host));

    const slack = await new SlackDouble().start();
    stops.push(() => slack.stop());
    const raw = {
      log: { level: 'info' },
      http: { port: 0, host: '127.0.0.1' },
      slack: { signingSecret: SIGNING_SECRET, botToken: 'xoxb-fleet', apiUrl: slack.apiUrl },
      mysql: { url: `mysql://root@127.0.0.1:3306/${db}` },
      redis: { url: REDIS_URL, prefix },
      access: { users: [{ key: REQUESTER.key, name: 'olga', roles: ['operator', 'deployer'] }] },
      agents,
      clientKeys: { public: client.publicKey, secret: client.secretKey },
      deploy: { targets },
    };
    const configPath = join(root, 'opsline.yaml');
    await writeFile(configPath, JSON.stringify(raw));
    const bot = await startBotChild(configPath);
    stops.push(() => bot.stop());
    const workers: Child[] = [];
    for (let w = 0; w < size.workers; w++) {
      const worker = await spawnOpsline(['--config', configPath, 'worker'], 'opsline worker started');
      stops.push(() => stopChild(worker));
      workers.push(worker);
    }
    return { bot, workers, slack, asks, started, prefix, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The agent host as a child process; resolves once every agent listens, and notes each job's start. */
async function startHost(specPath: string, started: Map<string, number>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'agent-host.js'), specPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  let rest = '';
  let ready: () => void = () => undefined;
  const listening = new Promise<void>((r) => (ready = r));
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes(HOST_READY)) ready();
      if (!line.includes(' started"')) continue;
      const m = JSON.parse(line) as { time?: number; jobId?: string; msg?: string };
      if (m.jobId && typeof m.time === 'number' && !started.has(m.jobId)) started.set(m.jobId, m.time);
    }
  });
  const exited = new Promise<never>((_r, reject) => child.once('exit', (code) => reject(new Error(`the fleet's agent host exited with ${code}`))));
  await Promise.race([listening, exited]);
  return child;
}
