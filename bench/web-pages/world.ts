import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { buildConfig } from '../../src/config/load.js';
import { buildBurns, type Burns } from '../../src/jobs/setup.js';
import { MemoryJobLog } from '../../src/services/job-log/memory.js';
import { newJobId } from '../../src/services/queue/types.js';
import { buildWebAuth } from '../../src/services/web/index.js';
import { RedisRelay } from '../../src/relay/redis-relay.js';
import { connectRedis } from '../../src/redis/connect.js';
import { threadKey } from '../../src/relay/entry.js';
import { Transports } from '../../src/relay/transports.js';
import type { ThreadRef } from '../../src/core/thread.js';
import { freePort } from '../../test/helpers/agent-fixture.js';
import { startCli } from '../../test/helpers/cli-child.js';
import { makeIso } from '../../test/helpers/iso.js';
import { openLink, postContinue, sessionCookie } from '../../test/helpers/web-signin.js';
import { startAgentProcess, type AgentProcess } from '../agent-process.js';
import { REDIS_URL } from '../production-endpoint.js';
import { TimedRelay } from './timed-relay.js';
import { stopChild } from '../scale/child.js';

const log = pino({ level: 'silent' });
const VIEWER = { key: 'console:pat', name: 'pat' };

export interface PagesWorld {
  readonly serverPid: number;
  readonly base: string;
  /** One signed-in session per page. */
  readonly cookies: readonly string[];
  readonly relay: TimedRelay;
  /**
   * Queues a burn with no worker running (the previous burn's worker, if any, is stopped first): pages
   * and readers can open before its first update.
   */
  queueBurn(): Promise<PagesBurn>;
  close(): Promise<void>;
}

export interface PagesBurn {
  readonly jobId: string;
  /** The thread's relay stream, as the bare readers read it. */
  readonly streamKey: string;
  /** The thread's key, as TimedRelay notes its updates. */
  readonly thread: string;
  /** Starts a worker: the queued burn runs. */
  startWorker(): Promise<void>;
}

/**
 * One burn followed by many: an `opsline agent` with a throttled pseudo-drive, `opsline start
 * --no-workers` serving the web view (Redis for sessions, queues and the relay), and in this process a
 * burn worker built as `opsline worker` builds it (buildBurns), whose relay is timed. Each burn is queued
 * before its worker starts, so pages and readers can open before its first update.
 */
export async function startPagesWorld(pages: number, imageMb: number, speed: string): Promise<PagesWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'opsline-bench-web-'));
  const stops: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const agent: AgentProcess = await startAgentProcess('demo', (d) => [{ name: 'virtual', device: `stdio:${join(d, 'drive.img')}`, speed }], (d) =>
      makeIso(join(d, 'images'), 'sample.iso', { bytes: imageMb * 1024 * 1024 }),
    );
    stops.push(() => agent.close());
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const prefix = `opsline-bench-web-${process.pid}`;
    stops.push(() => dropKeys(prefix));
    const raw = {
      log: { level: 'info' },
      http: { port, host: '127.0.0.1' },
      web: { publicUrl: base },
      redis: { url: REDIS_URL, prefix },
      access: { users: [{ ...VIEWER, roles: ['viewer'] }] },
      agents: [{ name: 'demo', endpoint: agent.ref.endpoint, serverKey: agent.ref.serverKey }],
      clientKeys: agent.clientKeys,
    };
    const configPath = join(dir, 'opsline.yaml');
    await writeFile(configPath, JSON.stringify(raw));
    // OPSLINE_WEB_PAGES_PROFILE=<dir>: the server writes a CPU profile there (node --cpu-prof) as it stops.
    const profile = process.env.OPSLINE_WEB_PAGES_PROFILE;
    const server = await startCli(['--config', configPath, 'start', '--no-workers'], 'opsline started', {}, 120_000, profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []);
    stops.push(() => stopChild(server));

    const config = buildConfig(raw, 'bench');
    const auth = buildWebAuth(config, log, Date.now)!;
    stops.push(() => auth.close());
    const cookies: string[] = [];
    for (let i = 0; i < pages; i++) {
      const t = await auth.links.issue(VIEWER);
      const cookie = sessionCookie(await postContinue(base, await openLink(`${base}/web/signin?t=${t}`)));
      if (!cookie) throw new Error('a sign-in gave no session');
      cookies.push(cookie);
    }

    const relay = new TimedRelay(new RedisRelay({ url: REDIS_URL, prefix, origin: `bench-worker-${process.pid}`, log }));
    stops.push(() => relay.close());
    let burns: Burns | undefined;
    stops.push(() => burns?.close() ?? Promise.resolve());
    const queueBurn = async (): Promise<PagesBurn> => {
      await burns?.close();
      const next: Burns = (burns = (await buildBurns(config, { log, jobLog: new MemoryJobLog() }, new Transports(relay)))!);
      const jobId = newJobId();
      const thread: ThreadRef = { platform: 'console', channel: `bench-web-${process.pid}`, rootId: jobId, requester: VIEWER };
      await next.service.queue.add(jobId, { agent: 'demo', drive: 'virtual', image: 'sample.iso', verify: true, requester: VIEWER, thread, requestedAt: new Date().toISOString() });
      return { jobId, streamKey: `${prefix}:thread:${threadKey(thread)}`, thread: threadKey(thread), startWorker: () => next.startWorkers() };
    };
    return { serverPid: server.pid!, base, cookies, relay, queueBurn, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Removes what the run left in Redis under its prefix (queues, sessions, the thread's stream). */
async function dropKeys(prefix: string): Promise<void> {
  const redis = connectRedis(REDIS_URL, { role: 'bench-cleanup', profile: 'command' });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
