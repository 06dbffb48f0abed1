import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { curveKeyPair } from '../../test/helpers/curve-keys.js';
import { z } from 'zod';
import { DEFAULT_REF_PATTERN } from '../../src/words/names.js';
import { CLI } from '../../test/helpers/cli-child.js';
import { makeIso } from '../../test/helpers/iso.js';
import { SlackDouble } from '../../test/helpers/slack-double.js';
import { REDIS_URL } from '../production-endpoint.js';
import { stopChild, type Child } from '../scale/child.js';
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
  readonly bot: { readonly pid: number; readonly base: string; output(): string };
  readonly workers: readonly Child[];
  /** The agent host's process id (its CPU is printed, for reading a start-time miss). */
  readonly hostPid: number;
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
    const client = curveKeyPair();
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
      const keys = curveKeyPair();
      const drives = Array.from({ length: drivesOf(i) }, (_, d) => ({ name: `d${d + 1}`, device: `stdio:${join(dir, 'drives', `d${d + 1}.img`)}` }));
      const commands = Object.fromEntries(Array.from({ length: commandsOf(i) }, (_, c) => [`c${c + 1}`, { argv: ['true', '{ref}'], refPattern: DEFAULT_REF_PATTERN, timeoutSec: 60 }]));
      hosted.push({ name, bind: 'tcp://127.0.0.1:*', keys: { public: keys.publicKey, secret: keys.secretKey }, allowedClients: [client.publicKey], imagesDir: join(dir, 'images'), stateDir: join(dir, 'state'), drives, commands, heartbeatMs: 1000 });
      agents.push({ name, endpoint: '', serverKey: keys.publicKey, heartbeatMs: 1000 });
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
    const startedAt = new Map<string, number>();
    const { child: host, endpoints } = await startHost(specPath, startedAt);
    stops.push(() => stopChild(host));
    for (const a of agents) {
      const endpoint = endpoints.get(a.name);
      if (!endpoint) throw new Error(`the agent host did not say where ${a.name} listens`);
      a.endpoint = endpoint;
    }

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
    const bot = await started(['--config', configPath, 'start'], 'opsline started', stops);
    const port = /"port":(\d+)[^\n]*opsline started/.exec(bot.output())?.[1];
    if (!port) throw new Error(`no port in the start log:\n${bot.output().slice(-2000)}`);
    const workers: Child[] = [];
    for (let w = 0; w < size.workers; w++) workers.push(await started(['--config', configPath, 'worker'], 'opsline worker started', stops));
    return { bot: { pid: bot.pid!, base: `http://127.0.0.1:${port}`, output: () => bot.output() }, workers, hostPid: host.pid!, slack, asks, started: startedAt, prefix, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The agent host as a child process; resolves once every agent listens, and notes each job's start. */
async function startHost(specPath: string, started: Map<string, number>): Promise<{ child: ChildProcess; endpoints: Map<string, string> }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'agent-host.js'), specPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  let rest = '';
  const endpoints = new Map<string, string>();
  let ready: () => void = () => undefined;
  const listening = new Promise<void>((r) => (ready = r));
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes(HOST_READY)) {
        const bound = hostReady.safeParse(JSON.parse(line));
        if (bound.success) for (const [name, endpoint] of Object.entries(bound.data.endpoints)) endpoints.set(name, endpoint);
        ready();
      }
      if (!line.includes(' started"')) continue;
      const m = startedLine.safeParse(JSON.parse(line));
      if (m.success && !started.has(m.data.jobId)) started.set(m.data.jobId, m.data.time);
    }
  });
  const exited = new Promise<never>((_r, reject) => child.once('exit', (code) => reject(new Error(`the fleet's agent host exited with ${code}`))));
  await Promise.race([listening, exited]);
  return { child, endpoints };
}

/** An agent's log line that a job started: when, and which job. */
const startedLine = z.object({ time: z.number(), jobId: z.string() });

/** The agent host's ready line: where each agent listens. */
const hostReady = z.object({ endpoints: z.record(z.string(), z.string()) });

/**
 * `opsline <args>` in a child process, stopped by `close` (SIGTERM, then SIGKILL). Two minutes to
 * be ready: on two shared cores under load, a worker's start has taken over 30 s. One that never
 * gets ready is killed, not left behind.
 */
async function started(args: string[], ready: string, stops: (() => Promise<unknown>)[]): Promise<Child> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => void (out = (out + d.toString()).slice(-1_000_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  stops.push(() => stopChild(child));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`opsline ${args.at(-1)} was not ready in 120 s:\n${out.slice(-2000)}`)), 120_000);
    const check = () => out.includes(ready) && (clearTimeout(timer), resolve());
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`opsline ${args.at(-1)} exited with ${code}:\n${out.slice(-2000)}`))));
  });
  return Object.assign(child, { output: () => out });
}
