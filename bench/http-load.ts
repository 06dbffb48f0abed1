import { once } from 'node:events';
import { Agent as HttpAgent, request } from 'node:http';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
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
 * its port, or its port and the bare handler's ([opsline, bare]), and exits when told 'stop'.
 */
export async function withServer<T>(module: URL, role: string | (Record<string, unknown> & { readonly role: string }), use: (base: string, bareBase: string) => Promise<T>): Promise<T> {
  const worker = new Worker(module, { workerData: typeof role === 'string' ? { role } : role });
  const [ports] = (await once(worker, 'message')) as [number | [number, number]];
  const [port, bare] = Array.isArray(ports) ? ports : [ports, ports];
  try {
    return await use(`http://127.0.0.1:${port}`, `http://127.0.0.1:${bare}`);
  } finally {
    worker.postMessage('stop');
    await once(worker, 'exit');
  }
}

/** What came back: the status, and the body when it was asked for. */
export interface Answer {
  readonly status: number;
  readonly body: string;
}

const slackAck = z.object({ text: z.string().optional() });

/** The `text` of a Slack ack's JSON body (parsed, never cast); undefined when the body is not such JSON. */
export function ackText(body: string): string | undefined {
  try {
    const parsed = slackAck.safeParse(JSON.parse(body));
    return parsed.success ? (parsed.data.text ?? '') : undefined;
  } catch {
    return undefined;
  }
}

/** A request built and signed before the clock starts, as the platform has it ready before sending: only the send and the whole answer are timed. */
export type Prepared = () => Promise<Answer>;

export interface Post {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Keep-alive connections for the load generator: node:http, not fetch. fetch's per-request garbage
 * (streams, abort signals, finalizers) made this process stop for a 5–9 ms scavenge every ~130 ms
 * at 1,000 req/s, and every request in flight then looked that much slower on both sides.
 */
const agent = new HttpAgent({ keepAlive: true, maxSockets: 256 });

/** `post` to `url`, ready to send: resolves once the whole answer has been read (kept only with `keepBody`). */
export function prepared(url: string, post: Post, keepBody = false): Prepared {
  const u = new URL(url);
  const headers = { ...post.headers, 'content-length': String(Buffer.byteLength(post.body)) };
  return () =>
    new Promise<Answer>((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        if (keepBody) res.on('data', (c: Buffer) => chunks.push(c));
        else res.resume();
        res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.once('error', reject);
      });
      req.once('error', reject);
      req.end(post.body);
    });
}

/** The two sides take turns in slices this long, so drift on the machine hits both. */
const SLICE_MS = 250;

/**
 * Offers `subject` and then `baseline` requests at `load.rate`, in turns of SLICE_MS each until
 * each side has had `load.seconds`; 1 s of each first is warm-up and not measured. In turns, not
 * mixed: a baseline request sent beside a subject one would wait behind it on the one event loop,
 * and the load generator would carry twice the rate (its own garbage collection then showed up in
 * both sides' p99).
 */
export async function pairedLoad(load: Load, subject: (n: number) => Prepared, baseline: (n: number) => Prepared): Promise<{ subject: number[]; baseline: number[]; failures: number }> {
  const out = { subject: [] as number[], baseline: [] as number[], failures: 0 };
  let n = 0;
  /** `ms` of requests at the rate, paced by the clock (not a drifting interval); resolves when all have answered. */
  const offer = async (make: (n: number) => Prepared, into: number[], ms: number): Promise<void> => {
    const pending: Promise<void>[] = [];
    const total = Math.round((load.rate * ms) / 1000);
    const started = performance.now();
    let sent = 0;
    await new Promise<void>((done) => {
      const tick = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * load.rate));
        for (; sent < due; sent++) pending.push(timed(make(n++), into).catch(() => void out.failures++));
        if (sent >= total) {
          clearInterval(tick);
          done();
        }
      }, 1);
    });
    await Promise.all(pending);
  };
  await offer(subject, [], 1000);
  await offer(baseline, [], 1000);
  for (let ms = 0; ms < load.seconds * 1000; ms += SLICE_MS) {
    await offer(subject, out.subject, SLICE_MS);
    await offer(baseline, out.baseline, SLICE_MS);
  }
  return out;
}

async function timed(send: Prepared, into: number[]): Promise<void> {
  const t = performance.now();
  const { status } = await send();
  if (status !== 200) throw new Error(`status ${status}`);
  into.push(performance.now() - t);
}

/** The two ack rows: p99 under an absolute limit, and p50 within a factor of the bare handler. */
export function ackRows(name: string, r: { subject: number[]; baseline: number[]; failures: number }, p99Ms: number, p50Factor?: number): Row[] {
  const rows = [row(`${name} p99`, pct(r.subject, 99), 'ms', pct(r.baseline, 99), `p99 < ${p99Ms} ms, 0 failed (${r.failures})`, (v) => v < p99Ms && r.failures === 0)];
  if (p50Factor !== undefined) rows.push(row(`${name} p50`, pct(r.subject, 50), 'ms', pct(r.baseline, 50), `≤ ${p50Factor}× a bare node:http handler doing the same Redis SET NX`, (_v, ratio) => ratio !== null && ratio <= p50Factor));
  return rows;
}
