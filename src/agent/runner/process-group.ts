import { readdirSync, readFileSync } from 'node:fs';

/**
 * Live (not zombie) processes in process group `pgid`, from /proc. A command runs in its own group (`detached`), so
 * this is what it still has running; `kill(-pgid, 0)` would also count the dead ones no parent has reaped yet.
 */
export function groupMembers(pgid: number): number[] {
  // The common case, a group that is gone, costs one syscall rather than a walk of /proc.
  if (!signalGroup(pgid, 0)) return [];
  const found: number[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return []; // No /proc (not Linux): what the command left is not seen, as before.
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue; // Ended while we looked.
    }
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so read after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state !== 'Z' && Number(pgrp) === pgid) found.push(Number(name));
  }
  return found;
}

/** Sends `signal` to the whole group (0: only checks it exists); false when it no longer does. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
