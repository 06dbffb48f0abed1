import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { SlackAdapter } from '../src/adapters/slack/adapter.js';
import { buildConfig } from '../src/config/load.js';
import { HttpServer } from '../src/http/server.js';
import { buildApp } from '../src/main.js';
import type { Bench } from './index.js';

export interface AckLoad {
  /** Signed Slack requests per second (the same number of baseline requests runs alongside). */
  readonly rate: number;
  readonly seconds: number;
}

const SECRET = 'bench-signing-secret';
const P99_TARGET_MS = 50;
const DEADLINE_MS = 3000;

/**
 * Ack latency of signed /help and /status slash commands through the real Bolt endpoint, the
 * dispatcher and the demo services. The baseline is GET /healthz on the same server at the same
 * rate, interleaved, so the ratio shows what verification, Bolt and the pipeline add over bare HTTP.
 */
export function slackAck(load: AckLoad): Bench {
  return {
    name: 'slack-ack',
    description: `ack latency of signed /help and /status at ${load.rate} req/s for ${load.seconds} s (targets: p99 < ${P99_TARGET_MS} ms, none over 3 s)`,
    run: () => measure(load),
  };
}

function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** The issue's load by default; OPSLINE_BENCH_RATE and OPSLINE_BENCH_SECONDS shorten it. */
export const slackAckBench: Bench = slackAck({ rate: envNumber('OPSLINE_BENCH_RATE', 200), seconds: envNumber('OPSLINE_BENCH_SECONDS', 30) });

/**
 * The bot runs in a worker thread so that the load generator does not share its event loop;
 * otherwise the client's own work would show up as server latency.
 */
async function measure(load: AckLoad): Promise<string> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { role: 'slack-ack-server' } });
  const [port] = (await once(worker, 'message')) as [number];
  try {
    return await generate(`http://127.0.0.1:${port}`, load);
  } finally {
    worker.postMessage('stop');
    await once(worker, 'exit');
  }
}

/** Worker side: the real pipeline behind the real Bolt endpoint, on port 0, until told to stop. */
async function serve(): Promise<void> {
  const log = pino({ level: 'silent' });
  const config = buildConfig({
    log: { level: 'silent' },
    slack: { signingSecret: SECRET, botToken: 'xoxb-bench', apiUrl: 'http://127.0.0.1:9/api/' },
    access: { users: [{ key: 'slack:T1:U1', name: 'bench', roles: ['viewer'] }] },
    status: { table: 'demo.tasks', statusColumn: 'task_status', timeColumn: 'created_at', statuses: ['Success', 'Pending', 'Failed'] },
  });
  const app = await buildApp(config, { log, demo: true });
  const http = new HttpServer(log);
  const adapter = new SlackAdapter({ config: config.slack!, http, log });
  await adapter.start(app.dispatcher.dispatch.bind(app.dispatcher));
  parentPort!.postMessage(await http.listen(0, '127.0.0.1'));
  await once(parentPort!, 'message');
  await adapter.stop();
  await http.close();
  await app.stop();
  parentPort!.close();
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'slack-ack-server') await serve();

async function generate(base: string, load: AckLoad): Promise<string> {
  // Warm-up (JIT, connection pool) is not measured: 1 s at the same rate.
  await drive(base, { rate: load.rate, seconds: 1 }, [], [], () => undefined);
  const slack: number[] = [];
  const baseline: number[] = [];
  let failures = 0;
  const started = performance.now();
  await drive(base, load, slack, baseline, () => void failures++);
  const elapsed = (performance.now() - started) / 1000;
  return report(load, slack, baseline, failures, elapsed);
}

let sequence = 0;

/** Sends at a steady rate (catching up by the clock, not by a drifting interval) and waits for all. */
async function drive(base: string, load: AckLoad, slack: number[], baseline: number[], fail: () => void): Promise<void> {
  const pending: Promise<void>[] = [];
  const total = Math.round(load.rate * load.seconds);
  const started = performance.now();
  let sent = 0;
  await new Promise<void>((done) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * load.rate));
      for (; sent < due; sent++) {
        pending.push(timed(() => signedCommand(base, sequence++), slack).catch(fail));
        pending.push(timed(() => fetch(`${base}/healthz`), baseline).catch(fail));
      }
      if (sent >= total) {
        clearInterval(tick);
        done();
      }
    }, 1);
  });
  await Promise.all(pending);
}

async function timed(send: () => Promise<Response>, into: number[]): Promise<void> {
  const t = performance.now();
  const res = await send();
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  into.push(performance.now() - t);
}

function signedCommand(base: string, n: number): Promise<Response> {
  const body = new URLSearchParams({
    team_id: 'T1',
    user_id: 'U1',
    user_name: 'bench',
    channel_id: 'C1',
    command: n % 2 === 0 ? '/help' : '/status',
    text: '',
    response_url: 'http://127.0.0.1:9/unused',
    trigger_id: `bench-${n}`,
  }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return fetch(`${base}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature },
    body,
  });
}

function pct(sorted: readonly number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;
}

function report(load: AckLoad, slack: number[], baseline: number[], failures: number, elapsed: number): string {
  const s = [...slack].sort((a, b) => a - b);
  const b = [...baseline].sort((x, y) => x - y);
  const row = (name: string, xs: number[]) =>
    `${name.padEnd(18)} n=${String(xs.length).padStart(6)}  p50 ${pct(xs, 50).toFixed(2)} ms  p99 ${pct(xs, 99).toFixed(2)} ms  max ${(xs.at(-1) ?? NaN).toFixed(2)} ms`;
  const over = s.filter((x) => x > DEADLINE_MS).length;
  const p99 = pct(s, 99);
  const ok = p99 < P99_TARGET_MS && over === 0 && failures === 0;
  return [
    row('slack ack', s),
    row('baseline /healthz', b),
    `ratio p50 ${(pct(s, 50) / pct(b, 50)).toFixed(2)}x  p99 ${(p99 / pct(b, 99)).toFixed(2)}x  ·  offered ${load.rate}/s each for ${load.seconds} s, took ${elapsed.toFixed(1)} s`,
    `failures ${failures}  over 3 s ${over}  →  ${ok ? 'PASS' : 'FAIL'} (p99 < ${P99_TARGET_MS} ms, none over 3 s)`,
  ].join('\n');
}
