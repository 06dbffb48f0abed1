import { readFileSync } from 'node:fs';

/**
 * Gone: no such process, or a zombie. An orphan's zombie is reaped by PID 1, which in some containers does so only
 * every few seconds, so `kill(pid, 0)` (ESRCH only once reaped) would wait on that instead of on the process.
 */
export function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
