import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { pct, row, type Row } from './report.js';

export interface Load {
  readonly rate: number;
  readonly seconds: number;
}

export function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** OPSLINE_BENCH_SECONDS shortens every timed load (default 10 s per load). */
export const SECONDS = envNumber('OPSLINE_BENCH_SECONDS', 10);

/**
 * The server under test runs in a worker thread (started from `module` with `role`), so the load
 * generator does not share its event loop; otherwise the client's own work would show up as
 * server latency. `role` (with any settings the worker needs) is its workerData. The worker posts
 * its port, and exits when told 'stop'.
 */
export async function withServer<T>(module: URL, role: string | (Record<string, unknown> & { readonly role: string }), use: (base: string) => Promise<T>): Promise<T> {
  const worker = new Worker(module, { workerData: typeof role === 'string' ? { role } : role });
  const [port] = (await once(worker, 'message')) as [number];
  try {
    return await use(`http://127.0.0.1:${port}`);
  } finally {
    worker.postMessage('stop');
    await once(worker, 'exit');
  }
}

/**
 * Sends `request` and a baseline GET /healthz on the same server, interleaved, at a steady rate
 * (catching up by the clock, not by a drifting interval); 1 s of warm-up is not measured.
 */
export async function pairedLoad(base: string, load: Load, request: (n: number) => Promise<Response>): Promise<{ subject: number[]; baseline: number[]; failures: number }> {
  const run = async (l: Load) => {
    const subject: number[] = [];
    const baseline: number[] = [];
    let failures = 0;
    const pending: Promise<void>[] = [];
    const total = Math.round(l.rate * l.seconds);
    const started = performance.now();
    let sent = 0;
    await new Promise<void>((done) => {
      const tick = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * l.rate));
        for (; sent < due; sent++) {
          const n = sent;
          pending.push(timed(() => request(n), subject).catch(() => void failures++));
          pending.push(timed(() => fetch(`${base}/healthz`), baseline).catch(() => void failures++));
        }
        if (sent >= total) {
          clearInterval(tick);
          done();
        }
      }, 1);
    });
    await Promise.all(pending);
    return { subject, baseline, failures };
  };
  await run({ rate: load.rate, seconds: 1 });
  return run(load);
}

async function timed(send: () => Promise<Response>, into: number[]): Promise<void> {
  const t = performance.now();
  const res = await send();
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  into.push(performance.now() - t);
}

/** The two ack rows: p99 under an absolute limit, and p50 within a factor of the bare handler. */
export function ackRows(name: string, r: { subject: number[]; baseline: number[]; failures: number }, p99Ms: number, p50Factor?: number): Row[] {
  const rows = [row(`${name} p99`, pct(r.subject, 99), 'ms', pct(r.baseline, 99), `p99 < ${p99Ms} ms, 0 failed (${r.failures})`, (v) => v < p99Ms && r.failures === 0)];
  if (p50Factor !== undefined) rows.push(row(`${name} p50`, pct(r.subject, 50), 'ms', pct(r.baseline, 50), `≤ ${p50Factor}× bare /healthz`, (_v, ratio) => ratio !== null && ratio <= p50Factor));
  return rows;
}
