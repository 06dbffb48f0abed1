import { randomBytes, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { buildConfig } from '../src/config/load.js';
import type { ThreadStarter } from '../src/core/thread.js';
import { buildApp } from '../src/app/main.js';
import { createPool, Db, migrate, type Pool } from '../src/services/db/index.js';
import { limitRow, pct, row, type Bench, type Row } from './report.js';

/** Kept between runs: seeding 10 M rows takes a minute or more, and the table never changes. */
const DB = 'opsline_bench_status10m';
const ROWS = 10_000_000;
const STATUSES = ['Success', 'Pending', 'Failed', 'Cancelled', 'Running'];
/** The default `status.refreshMs`: longer than one count of the whole table takes here. */
const REFRESH_MS = 30_000;
/** Answers are timed for this long: several refreshes of the whole table happen meanwhile. */
const SECONDS = 90;
const USER = 'console:bench';
const silent = pino({ level: 'silent' });
const noThreads: ThreadStarter = { startThread: () => Promise.reject(new Error('no threads')) };

/** The 10 M-row table, made once with INSERT … SELECT from MariaDB's Sequence engine (seq_1_to_N). */
async function table(root: Pool): Promise<void> {
  await root.query(`CREATE DATABASE IF NOT EXISTS ${DB} CHARACTER SET utf8mb4`);
  await root.query(`CREATE TABLE IF NOT EXISTS ${DB}.tasks (task_id INT AUTO_INCREMENT PRIMARY KEY, task_title VARCHAR(50), task_status VARCHAR(50),
    created_at DATETIME NOT NULL) DEFAULT CHARSET=utf8mb4`);
  const [[have]] = (await root.query(`SELECT COUNT(*) AS n FROM ${DB}.tasks`)) as unknown as [[{ n: number }]];
  if (Number(have.n) === ROWS) return;
  process.stderr.write(`  seeding ${DB}.tasks with ${ROWS} rows (once; kept for the next runs)\n`);
  await root.query(`TRUNCATE TABLE ${DB}.tasks`);
  const statuses = STATUSES.map((s) => `'${s}'`).join(', ');
  await root.query(`INSERT INTO ${DB}.tasks (task_title, task_status, created_at)
    SELECT CONCAT('task ', seq), ELT(1 + seq % ${STATUSES.length}, ${statuses}), UTC_TIMESTAMP() - INTERVAL (seq % 864000) SECOND FROM ${DB}.seq_1_to_${ROWS}`);
}

/**
 * /status answer time at 10 M rows from background counts, beside the bare GROUP BY on the same
 * table in the same run (timed in turns with blocks of answers, so load hits both), and the
 * counts' age the answers reported. Back-to-back answers share one read of the stored counts a
 * second (src/services/status-background.ts), so the read is timed on its own too, after each answer. The bot is built with buildApp, as `opsline start` builds it.
 */
async function measure(): Promise<Row[]> {
  const root = createPool({ host: '127.0.0.1', port: 3306, user: 'root', password: '', timeoutMs: 1_800_000, poolSize: 2 });
  await table(root);
  const bare = createPool({ host: '127.0.0.1', port: 3306, user: 'root', password: '', database: DB, timeoutMs: 600_000, poolSize: 1 });
  // The bot's own tables beside the status table (migrate's Db does not end the pool it is given).
  await migrate(new Db(bare, 1_800_000, silent));
  // A fresh app name per run: the first count is this run's, not a stored one from before.
  const app = `bench-${randomBytes(4).toString('hex')}`;
  const config = buildConfig({
    mysql: { url: `mysql://root@127.0.0.1:3306/${DB}`, timeoutMs: 5000 },
    status: { table: 'tasks', statusColumn: 'task_status', statuses: STATUSES, refreshMs: REFRESH_MS, refreshTimeoutMs: 300_000, app },
    access: { users: [{ key: USER, roles: ['viewer'] }] },
  });
  const bot = await buildApp(config, { log: silent });
  const answer = async (): Promise<string> => {
    const inv = { id: randomUUID(), platform: 'bench', principal: { key: USER, name: 'bench' }, room: 'bench', command: 'status', text: 'all', receivedAt: new Date() };
    const r = await bot.dispatcher.dispatch(inv, noThreads);
    const final = r.later ? await r.later : r;
    if (final.code) throw new Error(`/status failed: ${final.text}`);
    return final.text;
  };
  try {
    await answer(); // the cold start: waits for the first count of the whole table
    const lat: number[] = [];
    const reads: number[] = [];
    const bareMs: number[] = [];
    const snapshots = bot.services.statusSnapshots;
    if (!snapshots) throw new Error('no stored counts: status.refreshMs must be above 0');
    let oldest = 0;
    const end = performance.now() + SECONDS * 1000;
    while (performance.now() < end) {
      const t = performance.now();
      await bare.query(`SELECT task_status AS status, COUNT(*) AS n FROM tasks GROUP BY task_status`);
      bareMs.push(performance.now() - t);
      const block = performance.now() + 5000;
      while (performance.now() < block) {
        const s = performance.now();
        const text = await answer();
        lat.push(performance.now() - s);
        oldest = Math.max(oldest, ageMs(text));
        // Answers in the same second share one read of the stored counts; this is that read alone, every time.
        const r = performance.now();
        await snapshots.latest('all');
        reads.push(performance.now() - r);
      }
    }
    const bareP50 = pct(bareMs, 50);
    const name = (what: string) => `/status answer ${what}, 10 M rows, background counts`;
    return [
      row(name('p50'), pct(lat, 50), 'ms', bareP50, 'p99 ≤ 50 ms (next row); baseline: the bare GROUP BY', () => true),
      row(name('p99'), pct(lat, 99), 'ms', bareP50, '≤ 50 ms while the bare GROUP BY takes seconds', (v) => v <= 50),
      row(`/status stored-counts read p50, 10 M rows`, pct(reads, 50), 'ms', bareP50, 'p99 ≤ 50 ms (next row); baseline: the bare GROUP BY', () => true),
      row(`/status stored-counts read p99, 10 M rows`, pct(reads, 99), 'ms', bareP50, '≤ 50 ms: an answer that does not share a read costs this more', (v) => v <= 50),
      limitRow(`/status counts' oldest age seen, refreshMs ${REFRESH_MS / 1000} s, 10 M rows`, oldest, 'ms', 2 * REFRESH_MS, `≤ 2× refreshMs (${(2 * REFRESH_MS) / 1000} s)`, (v) => v <= 2 * REFRESH_MS),
    ];
  } finally {
    await bot.stop();
    await bare.end();
    await root.end();
  }
}

/** The most the age the reply says can be ("as of 4 s ago" is under 5 s; "just now" under 1 s), in ms. */
function ageMs(text: string): number {
  const m = /as of (\d+) (s|min|h) ago/.exec(text);
  if (!m) return 999;
  const unit = m[2] === 's' ? 1000 : m[2] === 'min' ? 60_000 : 3_600_000;
  return (Number(m[1]) + 1) * unit - 1;
}

export const status10mBench: Bench = {
  name: 'status-10m',
  description: `/status from background counts at ${ROWS / 1_000_000} M rows (table ${DB}, kept between runs) beside the bare GROUP BY, and the counts' age`,
  run: measure,
};
