import { join } from 'node:path';
import { z } from 'zod';
import { limitRow, pct, row, type Bench, type Row } from './report.js';
import { cpuMs, rssMb } from './scale/proc-sampler.js';
import { spawnChild } from './web-pages/child.js';
import { startPagesWorld, type PagesBurn, type PagesWorld } from './web-pages/world.js';

/** What the two client processes report (their `result` lines): parsed, as any input from another process. */
const readersResult = z.object({ arrivals: z.array(z.array(z.number())), ids: z.array(z.string()) });
const pagesResult = z.array(z.array(z.tuple([z.string(), z.string(), z.number()])));

const PAGES = Number(process.env.OPSLINE_WEB_PAGES ?? 100);
const IMAGE_MB = Number(process.env.OPSLINE_WEB_PAGES_IMAGE_MB ?? 16);
const SPEED = process.env.OPSLINE_WEB_PAGES_SPEED ?? '500k';
const LIMIT_MS = 1000;
/** The idle spell that gives each process's CPU at rest. */
const IDLE_MS = 5_000;
/** Before the second burn: the server counts as settled after this many quiet 2 s windows in a row, each under 8 ms of CPU a second. */
const SETTLED_WINDOWS = 3;
const QUIET_MS_PER_S = 8;
/** The most the second burn waits for a settled server; it goes on anyway after it (and says so). */
const SETTLE_MAX_MS = 90_000;

/** How an SSE event names the relay op it came from (src/adapters/web/events.ts); `close` makes none. */
const EVENT_OF = new Map<string, readonly string[]>([
  ['edit', ['status']],
  ['reply', ['status', 'line']],
  ['output', ['output']],
  ['final', ['final']],
]);

/** One burn followed by the pages and by the bare readers: what each side added, and each update's latency. */
interface Measured {
  readonly cpu: { readonly server: number; readonly readers: number };
  readonly rss: { readonly server: number; readonly readers: number };
  readonly pageLatency: number[];
  readonly bareLatency: number[];
}

/**
 * `web-pages`: 100 signed-in job pages following one burn through `opsline start`'s web view, beside
 * 100 bare XREAD readers of the same relay stream in a process of their own, both following the same
 * burn at the same time (docs/testing.md). The server's and the readers' CPU time and RSS growth over
 * the burn, and each update's latency from the worker's publish to its arrival. Then the same again
 * on a second burn, once the server has settled after its start (the extra row).
 */
export const webPagesBench: Bench = {
  name: 'web-pages',
  description: `${PAGES} job pages following one burn: server CPU and RSS beside ${PAGES} bare readers of the same relay stream; update latency p99`,
  async run(): Promise<Row[]> {
    const world = await startPagesWorld(PAGES, IMAGE_MB, SPEED);
    try {
      const first = await measure(world, await world.queueBurn(), 'first burn');
      // The same measurement on a second burn, by the same server and sessions: by now V8 has shrunk the
      // heap the server's start left (a memory-reducing full GC that lands in the first burn's window or
      // in its idle spell, docs/testing.md), which has nothing to do with the pages.
      const waited = await settle(world.serverPid);
      const second = await measure(world, await world.queueBurn(), `second burn, after ${(waited / 1000).toFixed(0)} s settling`);
      return [
        row(`web pages: server CPU added by ${PAGES} job pages following one burn`, first.cpu.server, 'ms', first.cpu.readers, `≤ 1.5× what ${PAGES} bare readers of the same relay stream added to their process (same burn, same time)`, (_v, r) => r !== null && r <= 1.5),
        row(`web pages: server RSS growth, ${PAGES} job pages`, first.rss.server, 'MB', first.rss.readers, `≤ 1.5× the ${PAGES} bare readers' process's growth`, (_v, r) => r !== null && r <= 1.5),
        limitRow('web pages: update latency p99 (publish → SSE event received)', pct(first.pageLatency, 99), 'ms', LIMIT_MS, `< ${LIMIT_MS} ms (a limit, not a measurement)`, (_v, r) => r !== null && r < 1),
        limitRow('web pages: bare reader latency p99 (publish → XREAD), for comparison', pct(first.bareLatency, 99), 'ms', LIMIT_MS, `< ${LIMIT_MS} ms (a limit, not a measurement)`, (_v, r) => r !== null && r < 1),
        row(`web pages, second burn (server settled since its start): server CPU added by ${PAGES} job pages`, second.cpu.server, 'ms', second.cpu.readers, `≤ 1.5× what ${PAGES} new bare readers added (same second burn, same time)`, (_v, r) => r !== null && r <= 1.5),
      ];
    } finally {
      await world.close();
    }
  },
};

/**
 * Waits until the server has been quiet for a few windows in a row (the first burn's pages closed, their
 * garbage collected, V8's heap shrunk): the ms it waited.
 */
async function settle(pid: number): Promise<number> {
  const start = performance.now();
  let quiet = 0;
  while (quiet < SETTLED_WINDOWS && performance.now() - start < SETTLE_MAX_MS) {
    const c0 = cpuMs(pid);
    await new Promise((r) => setTimeout(r, 2_000));
    quiet = cpuMs(pid) - c0 <= 2 * QUIET_MS_PER_S ? quiet + 1 : 0;
  }
  return performance.now() - start;
}

async function measure(world: PagesWorld, burn: PagesBurn, label: string): Promise<Measured> {
  const here = import.meta.dirname;
  const readers = spawnChild(join(here, 'web-pages', 'bare-readers.js'), [process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', burn.streamKey, String(PAGES)]);
  const pages = spawnChild(join(here, 'web-pages', 'page-clients.js'), [world.base, burn.jobId, JSON.stringify(world.cookies)]);
  try {
    await Promise.all([readers.line('loaded'), pages.line('loaded')]);
    // What each process spends doing nothing (the server's own timers: queue watchers, health), per
    // ms, over an idle spell before anything connects: subtracted below, so both rows count only
    // what following the burn added, as the RSS rows count growth.
    const idle0 = { server: cpuMs(world.serverPid), readers: cpuMs(readers.pid), at: performance.now() };
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const idleMs = performance.now() - idle0.at;
    const idleRate = { server: (cpuMs(world.serverPid) - idle0.server) / idleMs, readers: (cpuMs(readers.pid) - idle0.readers) / idleMs };
    // RSS growth counts from here: the server with its sessions, the readers' process with no connection yet.
    const rss0 = { server: rssMb(world.serverPid), readers: rssMb(readers.pid) };
    const peak = { ...rss0 };
    const sample = setInterval(() => {
      peak.server = Math.max(peak.server, rssMb(world.serverPid));
      peak.readers = Math.max(peak.readers, rssMb(readers.pid));
    }, 200);
    readers.go();
    pages.go();
    await Promise.all([readers.line('ready'), pages.line('ready')]);
    const cpu0 = { server: cpuMs(world.serverPid), readers: cpuMs(readers.pid), at: performance.now() };
    await burn.startWorker();
    const [bare, seen] = await Promise.all([readers.line('result '), pages.line('result ')]);
    const raw = { server: cpuMs(world.serverPid) - cpu0.server, readers: cpuMs(readers.pid) - cpu0.readers };
    const span = performance.now() - cpu0.at;
    const cpu = { server: raw.server - idleRate.server * span, readers: raw.readers - idleRate.readers * span };
    clearInterval(sample);
    // The stream holds the updates in the order they were published (one worker, one connection), so
    // its i-th entry id is the i-th publish; a page's event id is an entry id (src/adapters/web/events.ts).
    const published = world.relay.published.filter((p) => p.thread === burn.thread);
    const { arrivals, ids } = readersResult.parse(JSON.parse(bare.slice('result '.length)));
    const place = new Map(ids.map((id, i) => [id, i]));
    const pageLatency: number[] = [];
    for (const client of pagesResult.parse(JSON.parse(seen.slice('result '.length)))) {
      for (const [id, event, at] of client) {
        const p = published[place.get(id) ?? -1];
        if (!p || !EVENT_OF.get(p.op)?.includes(event)) throw new Error(`event ${id} (${event}) does not match its update (${p?.op ?? 'none'})`);
        pageLatency.push(at - p.at);
      }
    }
    const bareLatency: number[] = [];
    for (const reader of arrivals) reader.forEach((at, i) => bareLatency.push(at - (published[i]?.at ?? NaN)));
    process.stderr.write(`web-pages, ${label}: ${published.length} updates, ${pageLatency.length} page events, ${bareLatency.length} reader entries; over ${(span / 1000).toFixed(1)} s; CPU ${raw.server.toFixed(0)} vs ${raw.readers.toFixed(0)} ms in all, idle ${(idleRate.server * span).toFixed(0)} vs ${(idleRate.readers * span).toFixed(0)} ms of it; RSS +${(peak.server - rss0.server).toFixed(1)} vs +${(peak.readers - rss0.readers).toFixed(1)} MB\n`);
    return { cpu, rss: { server: peak.server - rss0.server, readers: peak.readers - rss0.readers }, pageLatency, bareLatency };
  } finally {
    readers.kill();
    pages.kill();
  }
}
