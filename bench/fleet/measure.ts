import { readdir, readFile, readlink } from 'node:fs/promises';
import { z } from 'zod';
import type { Redis } from 'ioredis';
import type { Ask } from './world.js';

/** The BullMQ queue an ask's job lands in: `burn.<agent>.<drive>` or `deploy.<target>` (src/services/queue/bull-jobs.ts). */
export function queueOf(ask: Ask): string {
  const [first] = ask.text.split(' ');
  if (ask.command === '/deploy') return `deploy.${first}`;
  const [agent, drive] = ask.text.split(' ')[1]!.split('/');
  return `burn.${agent}.${drive}`;
}

/** How many BullMQ workers listen on each queue, from one CLIENT LIST (BullMQ names a worker's connection `<prefix>:<base64 queue name>`). */
export async function workersPerQueue(redis: Redis, prefix: string, queues: readonly string[]): Promise<number[]> {
  const list = (await redis.client('LIST')) as string;
  const names = new Map<string, number>();
  for (const line of list.split('\n')) {
    const name = /(?:^| )name=(\S*)/.exec(line)?.[1];
    if (!name) continue;
    const base = name.includes(':w:') ? name.slice(0, name.indexOf(':w:')) : name;
    names.set(base, (names.get(base) ?? 0) + 1);
  }
  return queues.map((q) => names.get(`${prefix}:${Buffer.from(q).toString('base64')}`) ?? 0);
}

/** When BullMQ took the job in (`timestamp`, set by the bot's Queue.add), when a worker took it (`processedOn`) and when it finished, if it has. */
export async function jobTimes(redis: Redis, prefix: string, queue: string, id: string): Promise<{ queuedAt: number; takenAt: number; finishedAt: number | undefined }> {
  const [ts, taken, finished] = await redis.hmget(`${prefix}:${queue}:${id}`, 'timestamp', 'processedOn', 'finishedOn');
  return { queuedAt: Number(ts ?? NaN), takenAt: Number(taken ?? NaN), finishedAt: finished ? Number(finished) : undefined };
}

/** Bytes Redis holds under `prefix` (MEMORY USAGE of each key, SAMPLES 0: every element counted). */
export async function prefixBytes(redis: Redis, prefix: string): Promise<number> {
  let total = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) total += Number((await redis.memory('USAGE', key, 'SAMPLES', 0)) ?? 0);
  } while (cursor !== '0');
  return total;
}

/**
 * TCP connections a process holds open to Redis at `port`: its sockets (/proc/<pid>/fd) that the
 * kernel's table (/proc/<pid>/net/tcp and tcp6) lists as established to that port. Counted from the
 * kernel, not from names in CLIENT LIST, so every connection counts whoever named it.
 */
export async function redisConnections(pid: number, port: number): Promise<number> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
    if (inode) inodes.add(inode);
  }
  const remote = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let n = 0;
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const f = line.trim().split(/\s+/);
      if (f[2]?.endsWith(remote) && f[3] === '01' && inodes.has(f[9] ?? '')) n++;
    }
  }
  return n;
}

/** A worker's log line that a job ended (src/jobs/reporter.ts, `finish`): which job. */
const endedLine = z.object({ msg: z.literal('job finished'), jobId: z.string() });

/**
 * How many of `jobs` a worker ended, from its own log (one `job finished` line per job it ran to
 * its end). BullMQ hands a lane's job to whichever worker's blocking connection Redis wakes first,
 * so the share each worker takes varies from run to run; its peak RSS is read against this count.
 */
export function jobsEnded(output: string, jobs: ReadonlySet<string>): number {
  const ended = new Set<string>();
  for (const line of output.split('\n')) {
    if (!line.includes('"job finished"')) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    const m = endedLine.safeParse(parsed);
    if (m.success && jobs.has(m.data.jobId)) ended.add(m.data.jobId);
  }
  return ended.size;
}
