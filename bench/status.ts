import { randomBytes, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { commands } from '../commands/index.js';
import { buildConfig } from '../src/config/load.js';
import { Access } from '../src/core/access.js';
import type { Invocation } from '../src/core/define-command.js';
import { Dispatcher } from '../src/core/dispatcher.js';
import { Registry } from '../src/core/registry.js';
import type { ThreadStarter } from '../src/core/thread.js';
import { buildMysqlServices, createPool, migrate, MysqlTasksRepository, type Pool } from '../src/services/db/index.js';
import { TaskStatusService } from '../src/services/status.js';
import type { Services, StatusService } from '../src/services/types.js';
import type { Bench } from './index.js';

const ROWS = 100_000;
const CALLERS = 50;
const SECONDS = Number(process.env.OPSLINE_BENCH_SECONDS) > 0 ? Number(process.env.OPSLINE_BENCH_SECONDS) : 10;
const STATUSES = ['Success', 'Pending', 'Failed', 'Cancelled', 'Running'];
const USER = 'console:bench';
const silent = pino({ level: 'silent' });
const noThreads: ThreadStarter = { startThread: () => Promise.reject(new Error('no threads')) };

interface Run {
  readonly label: string;
  readonly calls: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
}

/** CALLERS loops calling `once` back to back for `seconds`; latency of every call and the overall rate. */
async function load(label: string, once: () => Promise<unknown>, seconds = SECONDS, lat: number[] = []): Promise<Run> {
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        await once();
        lat.push(performance.now() - s);
      }
    }),
  );
  return summary(label, lat, (performance.now() - t0) / 1000);
}

function summary(label: string, lat: number[], seconds: number): Run {
  const sorted = [...lat].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  return { label, calls: sorted.length, seconds, p50: q(0.5), p99: q(0.99) };
}

/** Two loads in A B B A order, half a run each, so drift on a shared machine hits both alike. */
async function paired(a: [string, () => Promise<unknown>], b: [string, () => Promise<unknown>]): Promise<[Run, Run]> {
  const lat = { a: [] as number[], b: [] as number[] };
  const secs = { a: 0, b: 0 };
  for (const which of ['a', 'b', 'b', 'a'] as const) {
    const [label, once] = which === 'a' ? a : b;
    secs[which] += (await load(label, once, SECONDS / 2, lat[which])).seconds;
  }
  return [summary(a[0], lat.a, secs.a), summary(b[0], lat.b, secs.b)];
}

async function seed(root: Pool, name: string): Promise<void> {
  await root.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
  await root.query(`CREATE TABLE ${name}.tasks (task_id INT AUTO_INCREMENT PRIMARY KEY, task_title VARCHAR(50), task_status VARCHAR(50),
    created_at DATETIME NOT NULL) DEFAULT CHARSET=utf8mb4`);
  const now = Date.now();
  for (let start = 0; start < ROWS; start += 10_000) {
    const rows = Array.from({ length: 10_000 }, (_, i) => [`task ${start + i}`, STATUSES[(start + i) % STATUSES.length], new Date(now - (start + i) * 60_000)]);
    await root.query(`INSERT INTO ${name}.tasks (task_title, task_status, created_at) VALUES ?`, [rows]);
  }
}

async function measure(): Promise<string> {
  const name = `opsline_bench_${randomBytes(4).toString('hex')}`;
  const url = `mysql://root@127.0.0.1:3306/${name}`;
  const root = createPool({ host: '127.0.0.1', port: 3306, user: 'root', password: '', timeoutMs: 10_000, poolSize: 2 });
  try {
    await seed(root, name);
    const config = buildConfig({
      // A generous deadline: 50 callers queue for 10 connections, and this run measures throughput, not timeouts.
      mysql: { url, poolSize: 10, timeoutMs: 30_000 },
      status: { table: `${name}.tasks`, statusColumn: 'task_status', statuses: STATUSES, cacheMs: 0 },
      access: { users: [{ key: USER, roles: ['viewer'] }] },
    });
    const m = buildMysqlServices(config, silent, () => new Date());
    await migrate(m.db);
    // The baseline: the same GROUP BY, straight through mysql2 on an identical pool.
    const bare = createPool({ host: '127.0.0.1', port: 3306, user: 'root', password: '', database: name, timeoutMs: 10_000, poolSize: 10 });
    const sql = `SELECT task_status AS status, COUNT(*) AS n FROM ${name}.tasks GROUP BY task_status`;
    const statusOpts = { statuses: STATUSES, doneStatuses: ['Success'], cacheMs: 0 };
    const repo = new MysqlTasksRepository(m.db, config.status!);
    // Every call its own query: isolates what the dispatcher, the service and the Db wrapper add.
    const unshared: StatusService = { hasTimeColumn: false, report: (w) => new TaskStatusService(repo, statusOpts).report(w) };
    const cached = new TaskStatusService(repo, { ...statusOpts, cacheMs: 1000 });
    const dispatcher = (status: StatusService | undefined) => {
      const services: Services = { status, notes: m.notes, notesDurable: true, audit: m.audit, now: () => new Date() };
      const d = new Dispatcher({ registry: new Registry(commands), access: new Access(config.access), services, log: silent });
      return async () => {
        const inv: Invocation = { id: randomUUID(), platform: 'bench', principal: { key: USER, name: 'bench' }, room: 'bench', command: 'status', text: 'all', receivedAt: new Date() };
        const r = await d.dispatch(inv, noThreads);
        if (r.code) throw new Error(`/status failed: ${r.text}`);
      };
    };
    await load('warm-up', () => bare.execute(sql), 2);
    const runs = [
      ...(await paired(['bare mysql2 GROUP BY', () => bare.execute(sql)], ['/status via dispatcher, no cache, no single-flight', dispatcher(unshared)])),
      await load('/status via dispatcher, no cache, single-flight', dispatcher(m.status)),
      await load('/status via dispatcher, cacheMs 1000', dispatcher(cached)),
    ];
    await m.audit.flush();
    const [b, plain, shared] = runs as [Run, Run, Run, Run];
    const perCall = (r: Run) => (r.seconds * 1000 * CALLERS) / r.calls;
    const overhead = (perCall(plain) / perCall(b) - 1) * 100;
    const speedup = shared.calls / shared.seconds / (b.calls / b.seconds);
    await bare.end();
    await m.stop();
    const rows = runs.map((r) => `${r.label.padEnd(52)} ${(r.calls / r.seconds).toFixed(0).padStart(8)} /s  p50 ${r.p50.toFixed(1).padStart(7)} ms  p99 ${r.p99.toFixed(1).padStart(7)} ms`);
    return [
      `${ROWS} rows, ${CALLERS} concurrent callers, ${SECONDS} s per run (the first two interleaved A B B A), pool of 10`,
      ...rows,
      `dispatcher overhead with cache off: ${overhead.toFixed(1)}% of the bare query's time per call (target <= 20%) ${overhead <= 20 ? 'OK' : 'MISSED'}`,
      `single-flight throughput: ${speedup.toFixed(1)}x the bare query's (target >= 5x) ${speedup >= 5 ? 'OK' : 'MISSED'}`,
    ].join('\n');
  } finally {
    await root.query(`DROP DATABASE IF EXISTS ${name}`);
    await root.end();
  }
}

export const statusBench: Bench = {
  name: 'status',
  description: `/status through the dispatcher against a ${ROWS}-row table with ${CALLERS} concurrent callers, beside the bare GROUP BY`,
  run: measure,
};
