import { isMainThread, workerData } from 'node:worker_threads';
import { signedPost, slashBody } from '../test/helpers/slack-request.js';
import { prepared, withServer } from './http-load.js';
import { productionWorld, serveProduction } from './production-endpoint.js';
import { slackBenchConfig } from './slack-ack.js';
import { statusWorld } from './status.js';

/**
 * Not a bench row: a load to run under `node --cpu-prof` (docs/testing.md, "Per-command cost"), and
 * the CPU each command costs, which on a shared machine moves less than a latency ratio does.
 *   node --cpu-prof --cpu-prof-dir=DIR dist/bench/profile-dispatch.js ack [seconds]
 *     signed /help at 1,000 req/s against the production Slack endpoint (bench/slack-ack.ts's server,
 *     in a worker thread: its profile is the worker's file); prints the worker's CPU µs per request.
 *   node --cpu-prof --cpu-prof-dir=DIR dist/bench/profile-dispatch.js status [count] [bot|bare]
 *     /status all through the dispatcher of `buildApp` on a 1,000-row table (bench/status-sizes.ts's
 *     world), one at a time; prints CPU µs per command, and per bare GROUP BY for comparison (or
 *     only one of the two, so that its profile holds nothing of the other).
 */
const SECRET = 'bench-signing-secret';
const RATE = 1000;

interface Role {
  readonly role: 'profile-ack-server';
  readonly db: string;
  readonly prefix: string;
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'profile-ack-server') {
  const r = workerData as Role;
  await serveProduction(slackBenchConfig(r), 'slack', r.prefix);
} else if (isMainThread) {
  const [what = 'ack', n, only] = process.argv.slice(2);
  if (what === 'ack') await ack(Number(n ?? 10));
  else await status(Number(n ?? 20_000), only === 'bot' || only === 'bare' ? only : undefined);
}

async function ack(seconds: number): Promise<void> {
  const world = await productionWorld();
  try {
    await withServer(new URL(import.meta.url), { role: 'profile-ack-server', db: world.db, prefix: world.prefix }, async (base) => {
      const url = `${base}/slack/events`;
      let sent = 0;
      const send = async () => {
        const body = slashBody({ team_id: 'T1', user_id: 'U1', user_name: 'bench', command: '/help', trigger_id: `profile-${process.pid}-${sent++}-${Math.random()}` });
        const { status: code } = await prepared(url, signedPost(body, SECRET))();
        if (code !== 200) throw new Error(`status ${code}`);
      };
      const pending: Promise<void>[] = [];
      const started = performance.now();
      await new Promise<void>((done) => {
        const tick = setInterval(() => {
          const due = Math.min(RATE * seconds, Math.floor(((performance.now() - started) / 1000) * RATE));
          while (pending.length < due) pending.push(send());
          if (pending.length >= RATE * seconds) {
            clearInterval(tick);
            done();
          }
        }, 1);
      });
      await Promise.all(pending);
      process.stdout.write(`sent ${pending.length} signed /help at ${RATE}/s\n`);
    });
  } finally {
    await world.close();
  }
}

async function status(count: number, only?: 'bot' | 'bare'): Promise<void> {
  const w = await statusWorld(1_000);
  try {
    const run = w.dispatcher();
    // `only`: one side alone, so a profile holds nothing of the other (compare the two files' self times).
    if (only) {
      const f = only === 'bot' ? run : w.bare;
      for (let i = 0; i < 2000; i++) await f();
      const c = process.cpuUsage();
      for (let i = 0; i < count; i++) await f();
      const d = process.cpuUsage(c);
      process.stdout.write(`${only}: ${((d.user + d.system) / count).toFixed(0)} µs CPU per call\n`);
      return;
    }
    for (let i = 0; i < 2000; i++) await run(); // warm-up: connections, prepared statements, JIT
    for (let i = 0; i < 2000; i++) await w.bare();
    const cpu = async (f: () => Promise<unknown>) => {
      const t = performance.now();
      const c = process.cpuUsage();
      for (let i = 0; i < count; i++) await f();
      const d = process.cpuUsage(c);
      return { cpu: (d.user + d.system) / count, wall: ((performance.now() - t) * 1000) / count };
    };
    const bot = await cpu(run);
    const bare = await cpu(w.bare);
    process.stdout.write(`/status all, 1k rows: ${bot.cpu.toFixed(0)} µs CPU, ${bot.wall.toFixed(0)} µs wall per command; bare GROUP BY ${bare.cpu.toFixed(0)} µs CPU, ${bare.wall.toFixed(0)} µs wall\n`);
  } finally {
    await w.close();
  }
}
