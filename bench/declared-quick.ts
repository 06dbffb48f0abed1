import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { isMainThread, workerData } from 'node:worker_threads';
import { signedPost, slashBody } from '../test/helpers/slack-request.js';
import { startAgentProcess, type AgentProcess } from './agent-process.js';
import { ackText, envNumber, prepared, withServer } from './http-load.js';
import { productionWorld, REDIS_URL, serveProduction } from './production-endpoint.js';
import { pct, row, type Bench } from './report.js';

const SECRET = 'bench-signing-secret';
const AGENT = 'a';
/** Measured pairs (OPSLINE_BENCH_PAIRS shortens a smoke run). */
const PAIRS = envNumber('OPSLINE_BENCH_PAIRS', 2_000);
/**
 * Unmeasured pairs first: past the JIT's warm-up, and past the 500 finished runs the agent's ledger
 * keeps (runs.jsonl, docs/agent.md: a line per change, rewritten whole past a bound), so the timed runs
 * write a full ledger, and its rewrites, as a long-running agent does.
 */
const WARMUP = 600;

interface Role {
  readonly role: 'declared-quick-server';
  readonly db: string;
  readonly prefix: string;
  readonly agent: AgentProcess['ref'];
  readonly clientKeys: AgentProcess['clientKeys'];
}

/**
 * A declared quick `run` command (`/uptime`, docs/commands.md "Quick commands") against the built-in
 * `/drives`, both answered in Slack's ack on the production path (bench/production-endpoint.ts:
 * `buildApp` on MySQL and Redis, the Slack adapter, the audit row), both one request to the same
 * `opsline agent` in its own process over CURVE. The agent spawns `/usr/bin/uptime` (argv only) for
 * the one and reads its drive list for the other. One caller, one request at a time (the agent runs
 * one of each command at a time), the two in turns that swap who goes first, each request signed
 * with its own trigger_id before its clock starts.
 */
export const declaredQuickBench: Bench = {
  name: 'declared-quick',
  description: `signed /uptime (a declared quick run command) vs /drives over Slack, ${PAIRS} interleaved pairs, same agent over CURVE, production path`,
  async run() {
    const world = await productionWorld();
    const agent = await startAgentProcess(AGENT, (dir) => [{ name: 'dvd1', device: `stdio:${dir}/dvd1.img` }], undefined, { uptime: { argv: ['/usr/bin/uptime'], timeoutSec: 10 } });
    try {
      const role: Role = { role: 'declared-quick-server', db: world.db, prefix: world.prefix, agent: agent.ref, clientKeys: agent.clientKeys };
      return await withServer(new URL(import.meta.url), { ...role }, async (base) => {
        const url = `${base}/slack/events`;
        const uptime = (n: number) => answered(url, '/uptime', n, (t) => t.startsWith(`/uptime on ${AGENT}: ✔ exit 0`) && t.includes('load average'));
        const drives = (n: number) => answered(url, '/drives', n, (t) => t.startsWith(`${AGENT} (`) && t.includes('dvd1'));
        const spawner = await bareSpawner();
        try {
          const sides = [uptime, drives, () => spawner.time()] as const;
          const times: [number[], number[], number[]] = [[], [], []];
          let n = 0;
          for (let i = 0; i < WARMUP + PAIRS; i++) {
            // Turns that rotate who goes first: a stall of the machine lands on every series alike.
            for (let j = 0; j < 3; j++) {
              const k = ((i + j) % 3) as 0 | 1 | 2;
              const ms = await sides[k](n++);
              if (i >= WARMUP) times[k].push(ms);
            }
          }
          const [declared, builtIn, bare] = times;
          // The same turn's /drives plus bare spawn: what a quick run cannot avoid (one agent round trip, one process).
          const floor = builtIn.map((ms, i) => ms + bare[i]!);
          return [
            ...[50, 99].map((p) => row(`declared quick /uptime over Slack p${p}`, pct(declared, p), 'ms', pct(builtIn, p), '≤ 1.2× built-in /drives (same agent round trip)', (_v, r) => r !== null && r <= 1.2)),
            ...[50, 99].map((p) => row(`declared quick /uptime over Slack p${p}, against /drives + a bare spawn of uptime`, pct(declared, p), 'ms', pct(floor, p), '≤ 1.2× (what opsline adds around the process)', (_v, r) => r !== null && r <= 1.2)),
          ];
        } finally {
          spawner.close();
        }
      });
    } finally {
      await agent.close();
      await world.close();
    }
  },
};

/**
 * `/usr/bin/uptime` run by `execFile` (argv only, its output read) from a bare Node process of its own,
 * smaller than the agent's (so a fork is no dearer than the agent's): the time of one spawn to its exit,
 * measured inside that process and sent back over IPC, so the IPC is not counted.
 */
async function bareSpawner(): Promise<{ time(): Promise<number>; close(): void }> {
  const script = `const { execFile } = require('node:child_process');
process.on('message', () => { const t = performance.now(); execFile('/usr/bin/uptime', [], (err, out) => process.send(err || !out.includes('load average') ? -1 : performance.now() - t)); });
process.send(0);`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = once(child, 'exit').then(() => Promise.reject(new Error('the bare spawner process exited')));
  exited.catch(() => undefined);
  const reply = async () => (await Promise.race([once(child, 'message'), exited])) as [number];
  await reply();
  return {
    async time() {
      child.send('go');
      const [ms] = await reply();
      if (typeof ms !== 'number' || ms < 0) throw new Error('bare spawn of /usr/bin/uptime failed');
      return ms;
    },
    close: () => void child.kill(),
  };
}

/** One signed slash command, built and signed before the clock starts; its time, once the ack is read and its answer checked. */
async function answered(url: string, command: string, n: number, ok: (text: string) => boolean): Promise<number> {
  const body = slashBody({ team_id: 'T1', user_id: 'U1', user_name: 'bench', command, trigger_id: `bench-${process.pid}-${n}-${Math.random()}` });
  const send = prepared(url, signedPost(body, SECRET), true);
  const t = performance.now();
  const res = await send();
  const ms = performance.now() - t;
  const text = res.status === 200 ? (ackText(res.body) ?? '') : '';
  if (!ok(text)) throw new Error(`${command} answered ${res.status}: ${res.body.slice(0, 200)}`);
  return ms;
}

/** Worker side: opsline's Slack endpoint on the production path, with the agent and the declared command. */
async function serve(r: Role): Promise<void> {
  const raw = {
    slack: { signingSecret: SECRET, botToken: 'xoxb-bench', apiUrl: 'http://127.0.0.1:9/api/' },
    mysql: { url: `mysql://root@127.0.0.1:3306/${r.db}` },
    redis: { url: REDIS_URL, prefix: r.prefix },
    agents: [r.agent],
    clientKeys: r.clientKeys,
    commands: [{ name: 'uptime', description: 'How long the host has been up', kind: 'run', agent: AGENT, run: 'uptime', quick: true, timeoutSec: 10, roles: ['viewer'] }],
    access: { users: [{ key: 'slack:T1:U1', name: 'bench', roles: ['viewer'] }] },
  };
  await serveProduction(raw, 'slack', r.prefix);
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'declared-quick-server') await serve(workerData as Role);
