import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accepts } from './port-accepts.js';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './agent-fixture.js';
import { until } from './until.js';

export interface OwnMariadb {
  readonly port: number;
  /** The server's own log (its error log goes to stderr), for a failure message. */
  output(): string;
  /** SIGTERM (a clean shutdown, as `systemctl restart` does), and resolves once the server has exited. */
  down(): Promise<void>;
  /** Starts it again on the same port and datadir, and resolves once it accepts connections. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A test-owned MariaDB (Debian's `mariadbd`, installed by scripts/test-setup.mjs) with its own datadir in
 * a temp dir and its own port, so a test can restart it without touching the shared server on 3306. Root
 * logs in over TCP with an empty password, as on the shared server (test/helpers/mysql.ts).
 */
export async function startOwnMariadb(): Promise<OwnMariadb> {
  const dir = await mkdtemp(join(tmpdir(), 'opsline-mariadb-'));
  const datadir = join(dir, 'data');
  const port = await freePort();
  // As root, mariadbd must be told to run as root; otherwise it runs as whoever started it.
  const user = process.getuid?.() === 0 ? ['--user=root'] : [];
  const init = spawnSync(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...user],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (init.status !== 0) throw new Error(`mariadb-install-db failed:\n${init.stdout}${init.stderr}`);
  const args = [
    '--no-defaults',
    `--datadir=${datadir}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${join(dir, 'mysqld.sock')}`,
    `--pid-file=${join(dir, 'mysqld.pid')}`,
    '--skip-name-resolve',
    // Small: a test's tables are tiny, and the machine is shared.
    '--innodb-buffer-pool-size=32M',
    '--performance-schema=OFF',
    ...user,
  ];
  let child: ChildProcess | undefined;
  let out = '';
  const start = async () => {
    child = spawn('mariadbd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const started = child;
    const keep = (d: Buffer) => (out = (out + d.toString()).slice(-20_000));
    started.stdout?.on('data', keep);
    started.stderr?.on('data', keep);
    await until(
      async () => {
        if (started.exitCode !== null) throw new Error(`mariadbd exited with ${started.exitCode}:\n${out}`);
        return accepts(port);
      },
      { what: `mariadbd to accept connections on port ${port}`, timeoutMs: 60_000, everyMs: 100 },
    );
  };
  const down = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    port,
    output: () => out,
    down,
    up: start,
    async stop() {
      await down();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
