import { escapeId } from 'mysql2';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { curveKeyPair } from '../test/helpers/curve-keys.js';
import { AgentServer } from '../src/agent/server.js';
import { createPool, Db, migrate } from '../src/services/db/index.js';
import { row, type Bench } from './report.js';

const CLI = new URL('../src/cli.js', import.meta.url).pathname;
const IDLE_MS = 3000;

/**
 * `opsline start` with Slack (HTTP), Discord (HTTP interactions), MySQL, Redis and one agent: the
 * time from spawn to the first /readyz 200, and its RSS after a few idle seconds. The baseline is
 * a bare Node HTTP server spawned the same way in the same run.
 */
export const startBench: Bench = {
  name: 'start',
  description: 'opsline start (Slack, Discord, MySQL, Redis, one agent): spawn → /readyz 200, and idle RSS, beside a bare Node HTTP server',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'opsline-bench-start-'));
    const log = pino({ level: 'silent' });
    const db = `opsline_bench_${randomBytes(4).toString('hex')}`;
    const root = createPool({ host: '127.0.0.1', port: 3306, user: 'root', password: '', timeoutMs: 10_000, poolSize: 1 });
    const server = curveKeyPair();
    const client = curveKeyPair();
    const agent = await AgentServer.start({ bind: 'tcp://127.0.0.1:*', keys: { public: server.publicKey, secret: server.secretKey }, allowedClients: [client.publicKey], imagesDir: dir, stateDir: join(dir, 'state'), drives: [], log });
    try {
      await root.query(`CREATE DATABASE ${escapeId(db)}`);
      const pool = createPool({ host: '127.0.0.1', port: 3306, user: 'root', password: '', database: db, timeoutMs: 10_000, poolSize: 1 });
      await migrate(new Db(pool, 10_000, log));
      await pool.end();
      const writeConfig = async (port: number) => {
        const config = join(dir, `opsline-${port}.yaml`);
        await writeFile(
          config,
          JSON.stringify({
            http: { port, host: '127.0.0.1' },
            log: { level: 'warn' },
            slack: { signingSecret: 'bench-secret-0123456789', botToken: 'xoxb-bench', apiUrl: 'http://127.0.0.1:9/api/' },
            discord: { mode: 'http', token: 'bench', applicationId: '1100000000000000001', publicKey: 'a'.repeat(64), apiUrl: 'http://127.0.0.1:9/api' },
            mysql: { url: `mysql://root@127.0.0.1:3306/${db}` },
            redis: { url: 'redis://127.0.0.1:6379', prefix: `opsline-bench-${process.pid}` },
            agents: [{ name: 'a1', endpoint: agent.endpoint, serverKey: server.publicKey }],
            clientKeys: { public: client.publicKey, secret: client.secretKey },
            access: { users: [{ key: 'console:bench', roles: ['viewer'] }] },
          }),
        );
        return config;
      };
      const bareJs = (port: number) => `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`;
      // Alternate, best of three each: the first spawn pays for a cold page cache. Each round on
      // fresh ports, and each process gone before the next starts (measure waits for its exit).
      const bot = { ready: Infinity, rss: Infinity };
      const bare = { ready: Infinity, rss: Infinity };
      for (let i = 0; i < 3; i++) {
        const barePort = await freePort();
        const b = await measure(process.execPath, ['-e', bareJs(barePort)], `http://127.0.0.1:${barePort}/`);
        const port = await freePort();
        const o = await measure(process.execPath, [CLI, '--config', await writeConfig(port), 'start'], `http://127.0.0.1:${port}/readyz`);
        for (const [into, m] of [[bare, b], [bot, o]] as const) {
          into.ready = Math.min(into.ready, m.ready);
          into.rss = Math.min(into.rss, m.rss);
        }
      }
      return [
        row('start-up to /readyz 200', bot.ready, 'ms', bare.ready, '< 1500 ms', (v) => v < 1500),
        row('idle RSS of opsline start (Slack, Discord, MySQL, Redis, one agent)', bot.rss, 'MB', bare.rss, '< 150 MB', (v) => v < 150),
      ];
    } finally {
      await agent.close();
      await root.query(`DROP DATABASE IF EXISTS ${escapeId(db)}`);
      await root.end();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

async function measure(cmd: string, args: string[], url: string): Promise<{ ready: number; rss: number }> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = once(child, 'exit');
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${err.slice(0, 300)}`);
      const ok = await fetch(url).then((r) => r.status === 200, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const ready = performance.now() - t0;
    await new Promise((r) => setTimeout(r, IDLE_MS));
    return { ready, rss: await rssMb(child) };
  } finally {
    // Gone before the next round starts: a bot still stopping would share the CPU with the next spawn.
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  }
}

async function rssMb(child: ChildProcess): Promise<number> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}
