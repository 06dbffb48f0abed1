import { spawn, type ChildProcess } from 'node:child_process';
import { accepts } from './port-accepts.js';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './agent-fixture.js';
import { until } from './until.js';

export interface OwnRedis {
  readonly url: string;
  /** SIGTERM (Redis saves and exits cleanly), then start again on the same port and directory. */
  restart(): Promise<void>;
  /** The first half of a restart: SIGTERM, and resolves once the server has exited; `up()` brings it back. */
  down(): Promise<void>;
  /** Starts it again on the same port and directory, and resolves once it accepts connections. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

/** A test-owned `redis-server` with append-only persistence (docs/burn.md's settings) in a temp dir. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'opsline-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction', '--save', ''], { stdio: 'ignore' });
    const started = child;
    await until(async () => {
      if (started.exitCode !== null) throw new Error(`redis-server exited with ${started.exitCode}`);
      return accepts(port);
    }, { what: `redis-server to accept connections on port ${port}` });
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      await stop();
      await start();
    },
    down: stop,
    up: start,
    async stop() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
