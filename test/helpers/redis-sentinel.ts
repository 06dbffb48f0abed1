import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './agent-fixture.js';
import { until } from './until.js';

export interface SentinelSet {
  /** The config's `redis` section for this set (without `prefix`). */
  readonly redis: { sentinels: { host: string; port: number }[]; name: string };
  readonly primaryPort: number;
  readonly replicaPort: number;
  /** SIGKILL the primary: no goodbye, as when its machine dies. */
  killPrimary(): void;
  /** The port every sentinel names as the primary now. */
  primaryNow(): Promise<number[]>;
  /** Resolves once every sentinel names the replica as primary and the replica says it is one. */
  promoted(timeoutMs?: number): Promise<void>;
  /** A raw client on one server, for the test to look at keys. */
  raw(port: number): Redis;
  stop(): Promise<void>;
}

const NAME = 'opsline-t';

/**
 * Debian's redis-server and redis-sentinel on free ports in a temp dir: a primary with append-only
 * persistence, one replica of it, and three sentinels (quorum 2) that fail over a primary silent
 * for one second, as docs/hosting.md's Sentinel section sets them up with longer times.
 */
export async function startSentinelSet(o: { sentinels?: boolean } = {}): Promise<SentinelSet> {
  const dir = await mkdtemp(join(tmpdir(), 'opsline-sentinel-'));
  const children: ChildProcess[] = [];
  const clients: Redis[] = [];
  const raw = (port: number) => {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: false, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    r.on('error', () => undefined);
    clients.push(r);
    return r;
  };
  const server = async (name: string, port: number, extra: string[]) => {
    const d = join(dir, name);
    await mkdir(d);
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', d, '--appendonly', 'yes', '--save', '', ...extra], { stdio: 'ignore' });
    children.push(c);
    return c;
  };
  const primaryPort = await freePort();
  const replicaPort = await freePort();
  const primary = await server('primary', primaryPort, []);
  await server('replica', replicaPort, ['--replicaof', '127.0.0.1', String(primaryPort)]);
  const replica = raw(replicaPort);
  await until(async () => /master_link_status:up/.test(await replica.info('replication').catch(() => '')), { what: 'the replica to sync with the primary' });

  const sentinelPorts = o.sentinels === false ? [] : [await freePort(), await freePort(), await freePort()];
  for (const port of sentinelPorts) {
    const conf = join(dir, `sentinel-${port}.conf`);
    // A sentinel rewrites its own config file (what it learnt about replicas and other sentinels).
    await writeFile(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${NAME} 127.0.0.1 ${primaryPort} 2`,
        `sentinel down-after-milliseconds ${NAME} 1000`,
        `sentinel failover-timeout ${NAME} 10000`,
        `sentinel parallel-syncs ${NAME} 1`,
        '',
      ].join('\n'),
    );
    children.push(spawn('redis-sentinel', [conf], { stdio: 'ignore' }));
  }
  const sentinels = sentinelPorts.map(raw);
  // Each sentinel must know the replica and both others before a failover can win a vote.
  await until(
    async () => {
      for (const s of sentinels) {
        const m = (await s.call('SENTINEL', 'MASTER', NAME).catch(() => [])) as string[];
        const field = (k: string) => m[m.indexOf(k) + 1];
        if (field('num-slaves') !== '1' || field('num-other-sentinels') !== '2') return false;
      }
      return true;
    },
    { timeoutMs: 30_000, everyMs: 200, what: 'three sentinels to know the primary, the replica and each other' },
  );
  const primaryNow = () => Promise.all(sentinels.map(async (s) => Number(((await s.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', NAME)) as string[])[1])));
  return {
    redis: { sentinels: sentinelPorts.map((port) => ({ host: '127.0.0.1', port })), name: NAME },
    primaryPort,
    replicaPort,
    killPrimary: () => void primary.kill('SIGKILL'),
    primaryNow,
    async promoted(timeoutMs = 30_000) {
      await until(async () => (await primaryNow()).every((p) => p === replicaPort) && (await replica.role().catch(() => []))[0] === 'master', {
        timeoutMs,
        everyMs: 100,
        what: 'the sentinels to promote the replica',
      });
    },
    raw,
    async stop() {
      for (const c of clients) c.disconnect();
      await Promise.all(
        children.map(async (c) => {
          if (c.exitCode !== null || c.signalCode !== null) return;
          const exited = once(c, 'exit');
          c.kill('SIGKILL');
          await exited;
        }),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}
