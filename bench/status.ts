import { escapeId } from 'mysql2';
import { randomBytes, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { buildApp } from '../src/app/main.js';
import { buildConfig } from '../src/config/load.js';
import type { Invocation } from '../src/core/define-command.js';
import type { ThreadStarter } from '../src/core/thread.js';
import { createPool, Db, migrate, type Pool } from '../src/services/db/index.js';
import { pct, row, type Bench, type Row } from './report.js';
import { ackRows, SECONDS } from './http-load.js';
import { dropPrefix, productionLogger, REDIS_URL } from './production-endpoint.js';
import { cachedStatusOverSlack } from './status-slack.js';

const ROWS = 100_000;
/** The signed `/status` over Slack rows' rate: the lower of the ack rows' two rates. */
const SLACK_RATE = 200;
export const STATUSES = ['Success', 'Pending', 'Failed', 'Cancelled', 'Running'];
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

/** `callers` loops calling `once` back to back for `seconds`; latency of every call and the overall rate. */
async function load(label: string, once: () => Promise<unknown>, callers: number, seconds = SECONDS, lat: number[] = []): Promise<Run> {
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
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

/** A tasks table of `rows` rows: 10,000 inserted, then doubled with INSERT … SELECT (fast enough for 10 M). */
export async function seed(root: Pool, name: string, rows: number): Promise<void> {
  // The name is generated here (opsline_bench_<hex>), and still quoted as an identifier; the LIMIT is bound.
  const db = escapeId(name);
  await root.query(`CREATE DATABASE ${db} CHARACTER SET utf8mb4`);
  await root.query(`CREATE TABLE ${db}.tasks (task_id INT AUTO_INCREMENT PRIMARY KEY, task_title VARCHAR(50), task_status VARCHAR(50),
    created_at DATETIME NOT NULL) DEFAULT CHARSET=utf8mb4`);
  const now = Date.now();
  const first = Math.min(rows, 10_000);
  const batch = Array.from({ length: first }, (_, i) => [`task ${i}`, STATUSES[i % STATUSES.length], new Date(now - i * 60_000)]);
  await root.query(`INSERT INTO ${db}.tasks (task_title, task_status, created_at) VALUES ?`, [batch]);
  for (let have = first; have < rows; have += Math.min(have, rows - have)) {
    await root.query(`INSERT INTO ${db}.tasks (task_title, task_status, created_at) SELECT task_title, task_status, created_at FROM ${db}.tasks LIMIT ?`, [Math.min(have, rows - have)]);
  }
}

export interface StatusWorld {
  /** The bench database; its `tasks` table has the rows. */
  readonly name: string;
  /** The GROUP BY straight through mysql2 on a pool like the bot's: the baseline. */
  readonly bare: () => Promise<unknown>;
  /**
   * One /<command> through the dispatcher of an app built by `buildApp`, as `opsline start` builds
   * it (MySQL, Redis for grant-version reads, the access role sources, the audit trail, the logger at
   * `info`); its status service is single-flight with the cache off.
   */
  dispatcher(command?: string, text?: string): () => Promise<void>;
  close(): Promise<void>;
}

/** A fresh database with a `rows`-row tasks table and the bot's MySQL services on it. */
export async function statusWorld(rows: number): Promise<StatusWorld> {
  const name = `opsline_bench_${randomBytes(4).toString('hex')}`;
  const url = `mysql://root@127.0.0.1:3306/${name}`;
  // Seeding 10 M rows runs statements of minutes.
  const root = createPool({ host: '127.0.0.1', port: 3306, user: 'root', password: '', timeoutMs: 1_800_000, poolSize: 2 });
  const drop = async () => {
    await root.query(`DROP DATABASE IF EXISTS ${escapeId(name)}`);
    await root.end();
  };
  try {
    await seed(root, name, rows);
  } catch (err) {
    await drop();
    throw err;
  }
  const prefix = `opsline-bench-${process.pid}-${randomBytes(3).toString('hex')}`;
  const config = buildConfig({
    // A generous deadline: callers queue for 10 connections, and the big tables take seconds per query.
    mysql: { url, poolSize: 10, timeoutMs: 120_000 },
    redis: { url: REDIS_URL, prefix },
    status: { table: `${name}.tasks`, statusColumn: 'task_status', statuses: STATUSES, refreshMs: 0, cacheMs: 0 },
    access: { users: [{ key: USER, roles: ['viewer'] }] },
  });
  const pool = createPool({ host: '127.0.0.1', port: 3306, user: 'root', password: '', database: name, timeoutMs: 30_000, poolSize: 1 });
  await migrate(new Db(pool, 30_000, silent));
  await pool.end();
  const app = await buildApp(config, { log: productionLogger() });
  const bare = createPool({ host: '127.0.0.1', port: 3306, user: 'root', password: '', database: name, timeoutMs: 120_000, poolSize: 10 });
  // The bot's statement, quoted as the bot quotes it (src/services/db/tasks.ts).
  const sql = `SELECT ${escapeId('task_status')} AS status, COUNT(*) AS n FROM ${escapeId(`${name}.tasks`)} GROUP BY ${escapeId('task_status')}`;
  return {
    name,
    bare: () => bare.execute(sql),
    dispatcher(command = 'status', text = 'all') {
      return async () => {
        const inv: Invocation = { id: randomUUID(), platform: 'bench', principal: { key: USER, name: 'bench' }, room: 'bench', command, text, receivedAt: new Date() };
        const r = await app.dispatcher.dispatch(inv, noThreads);
        if (r.code) throw new Error(`/${command} failed: ${r.text}`);
      };
    },
    async close() {
      await bare.end();
      await app.stop();
      await drop();
      await dropPrefix(prefix);
    },
  };
}

/** The bare query behind the bot's single-flight rule: callers that ask while it runs share its answer. */
export function sharedQuery(run: () => Promise<unknown>): () => Promise<unknown> {
  let inFlight: Promise<unknown> | undefined;
  return () => (inFlight ??= run().finally(() => (inFlight = undefined)));
}

/** Slices of this long, subject then baseline, so drift in the database's speed hits both. */
const RATE_SLICE_S = 1;

/** Answers per second of `callers` closed loops on `subject` and on `baseline`, in turns of RATE_SLICE_S until each had `seconds`; one slice each of warm-up first. */
export async function pairedRates(subject: () => Promise<unknown>, baseline: () => Promise<unknown>, callers: number, seconds: number): Promise<{ subject: number; baseline: number }> {
  await load('warm-up', subject, callers, RATE_SLICE_S);
  await load('warm-up', baseline, callers, RATE_SLICE_S);
  const total = { subject: { calls: 0, seconds: 0 }, baseline: { calls: 0, seconds: 0 } };
  for (let s = 0; s < seconds; s += RATE_SLICE_S) {
    for (const [side, once] of [['subject', subject], ['baseline', baseline]] as const) {
      const run = await load(side, once, callers, RATE_SLICE_S);
      total[side].calls += run.calls;
      total[side].seconds += run.seconds;
    }
  }
  return { subject: total.subject.calls / total.subject.seconds, baseline: total.baseline.calls / total.baseline.seconds };
}

/** p50s of `a` and `b` timed in turns (a, b, a, b, …), so drift in the machine's load hits both alike. */
export async function interleavedP50(a: () => Promise<unknown>, b: () => Promise<unknown>, n: number): Promise<[number, number]> {
  const la: number[] = [];
  const lb: number[] = [];
  for (let i = 0; i < n; i++) {
    for (const [f, lat] of [[a, la], [b, lb]] as const) {
      const t = performance.now();
      await f();
      lat.push(performance.now() - t);
    }
  }
  return [pct(la, 50), pct(lb, 50)];
}

async function measure(): Promise<Row[]> {
  const w = await statusWorld(ROWS);
  try {
    await load('warm-up', w.bare, 8, 2);
    const rows: Row[] = [];
    // The single-flight limit: C callers sharing one query of time t get C answers per t. It is
    // measured, not computed: C callers sharing the bare GROUP BY the same way (sharedQuery), in
    // turns with the bot (pairedRates). Timing t alone before and after the load, as this bench did,
    // missed MariaDB's drift during it: t moved between 34 and 61 ms within a minute here.
    for (const callers of [8, 64]) {
      const r = await pairedRates(w.dispatcher(), sharedQuery(w.bare), callers, SECONDS);
      rows.push(row(`/status ${ROWS / 1000}k rows, cache off, ${callers} callers`, r.subject, '/s', r.baseline, '≥ 0.9× the single-flight limit (callers sharing one bare GROUP BY, in turns)', (_v, ratio) => ratio !== null && ratio >= 0.9));
    }
    // The ack rows' method and targets (bench/http-load.ts), the answer checked: a bare node:http handler
    // that claims the same dedup key and acks a constant, fed the same signed requests at the same rate.
    const slack = await cachedStatusOverSlack(w.name, ROWS, STATUSES, SLACK_RATE, SECONDS);
    rows.push(...ackRows(`slack /status all, ${ROWS / 1000}k rows, cacheMs 1000 @${SLACK_RATE}/s`, slack, 50, 2));
    return rows;
  } finally {
    await w.close();
  }
}

export const statusBench: Bench = {
  name: 'status',
  description: `/status through the dispatcher against a ${ROWS}-row table, 8 and 64 callers, beside the bare GROUP BY`,
  run: measure,
};
