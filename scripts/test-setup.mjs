#!/usr/bin/env node
// Makes sure what the integration tests need is installed and running: xorriso, tmux, chromium, MariaDB on
// 127.0.0.1:3306 (root, empty password) and Redis on 127.0.0.1:6379. As root it installs missing
// packages with apt-get and starts stopped services; otherwise it fails with the exact command to run.
// Every child process gets an argv array; nothing goes through a shell.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, chownSync } from 'node:fs';
import { connect } from 'node:net';

const isRoot = process.getuid?.() === 0;
let aptUpdated = false;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: opts.quiet ? 'pipe' : 'inherit', encoding: 'utf8', timeout: opts.timeout ?? 600_000, input: opts.input });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, error: r.error };
}

function has(cmd, args = ['--version']) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return !r.error;
}

function fail(message, command) {
  console.error(`test setup: ${message}${command ? `\n  run: ${command}` : ''}`);
  process.exit(1);
}

function aptInstall(pkgs) {
  if (!isRoot) fail(`missing ${pkgs.join(', ')}`, `sudo apt-get update && sudo apt-get install -y ${pkgs.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    aptUpdated = true;
  }
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
  if (r.status !== 0) fail(`apt-get could not install ${pkgs.join(', ')}`);
}

function portOpen(port) {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.setTimeout(1000, () => (s.destroy(), resolve(false)));
  });
}

async function waitPort(port, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await portOpen(port)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

async function xorriso() {
  if (has('xorriso', ['-version'])) return;
  aptInstall(['xorriso']);
}

// The console's terminal tests drive it in a real terminal: a tmux session (test/helpers/tmux.ts).
async function tmux() {
  if (has('tmux', ['-V'])) return;
  aptInstall(['tmux']);
}

async function mariadb() {
  if (!(await portOpen(3306))) {
    if (!existsSync('/usr/sbin/mariadbd')) aptInstall(['mariadb-server', 'mariadb-client']);
    if (!isRoot) fail('MariaDB is installed but not running on 127.0.0.1:3306', 'sudo start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd');
    if (!existsSync('/run/mysqld')) {
      mkdirSync('/run/mysqld', { recursive: true });
      const id = spawnSync('id', ['-u', 'mysql'], { encoding: 'utf8' });
      const gid = spawnSync('id', ['-g', 'mysql'], { encoding: 'utf8' });
      if (id.status === 0) chownSync('/run/mysqld', Number(id.stdout.trim()), Number(gid.stdout.trim()));
    }
    run('start-stop-daemon', ['--start', '--oknodo', '--background', '--exec', '/usr/sbin/mariadbd']);
    if (!(await waitPort(3306, 30))) fail('MariaDB did not start on 127.0.0.1:3306', 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd');
  }
  // The tests log in as root with an empty password over TCP; a fresh Debian install uses unix_socket only.
  const tcp = run('mariadb', ['-h', '127.0.0.1', '-P', '3306', '-uroot', '-e', 'SELECT 1'], { quiet: true });
  if (tcp.ok) return;
  const sql = "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket;";
  if (!isRoot) fail(`cannot log in to MariaDB as root with an empty password over TCP:\n${tcp.out}`, `sudo mariadb -uroot -e "${sql}"`);
  // This changes how root logs in on this machine, so say so (once: afterwards the TCP login works).
  console.log(`test setup: MariaDB's root could not log in over TCP with an empty password; changing its login to allow that:\n  ${sql}`);
  const fix = run('mariadb', ['-uroot', '-e', sql], { quiet: true });
  if (!fix.ok) fail(`could not allow root over TCP:\n${fix.out}`);
}

// test/faults/mysql-restart.test.ts starts a MariaDB of its own (test/helpers/mariadb-server.ts): it needs Debian's
// mariadbd and mariadb-install-db even where the shared server runs elsewhere (a container).
async function ownMariadb() {
  if (existsSync('/usr/sbin/mariadbd') && has('mariadb-install-db', ['--help'])) return;
  aptInstall(['mariadb-server']);
}

async function redis() {
  if (await portOpen(6379)) return;
  if (!has('redis-server')) aptInstall(['redis-server']);
  const r = run('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', '6379', '--save', '', '--appendonly', 'no'], { quiet: true });
  if (!r.ok || !(await waitPort(6379, 15))) fail(`Redis did not start on 127.0.0.1:6379 ${r.out}`, "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no");
}

// The web view's tests drive Debian's chromium with playwright-core, which never downloads a browser
// (test/helpers/browser.ts points it at /usr/bin/chromium).
async function chromium() {
  if (existsSync('/usr/bin/chromium')) return;
  aptInstall(['chromium']);
}

// The Sentinel fault test (test/faults/redis-sentinel.test.ts) starts its own sentinels: Debian's redis-sentinel.
async function redisSentinel() {
  if (has('redis-sentinel', ['--version'])) return;
  aptInstall(['redis-sentinel']);
}

// promtool (Prometheus's own checker) lints what /metrics serves; it ships in Debian's prometheus package.
async function promtool() {
  if (has('promtool', ['--version'])) return;
  aptInstall(['prometheus']);
}

await xorriso();
await promtool();
await tmux();
await chromium();
await mariadb();
await ownMariadb();
await redis();
await chromium();
await redisSentinel();
console.log('test setup: xorriso, tmux, chromium, MariaDB (and mariadb-install-db), Redis and redis-sentinel are ready');
