import { readdir, readlink, realpath } from 'node:fs/promises';

/**
 * The pids of this user's processes that have `path` open, from /proc (Linux): a process writing to a
 * file holds it open for as long as it writes, so an empty list means nothing is writing to it now.
 */
export async function holdersOf(path: string): Promise<number[]> {
  const target = await realpath(path);
  const holders: number[] = [];
  for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    // Another user's process, or one that exited while we looked: not ours to see.
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
    for (const fd of fds) {
      if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) !== target) continue;
      holders.push(Number(pid));
      break;
    }
  }
  return holders;
}
