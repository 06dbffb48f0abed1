import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** True when `pid` is alive and is an xorriso process (so a recycled pid is never signalled). */
export function isXorriso(pid: number): boolean {
  try {
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')[0] ?? '';
    return /(^|\/)xorriso$/.test(argv0);
  } catch {
    return false;
  }
}

/**
 * Stops an xorriso left writing by an agent that died: a burn cut short is reported as failed and
 * never resumed, so the write must not go on behind our back. SIGINT first so it releases the drive.
 */
export async function stopOrphan(pid: number, waitMs = 5_000): Promise<boolean> {
  if (!isXorriso(pid)) return false;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return false;
  }
  for (let waited = 0; waited < waitMs && isXorriso(pid); waited += 100) await sleep(100);
  if (isXorriso(pid)) process.kill(pid, 'SIGKILL');
  return true;
}

/**
 * Stops the process group of a deploy command left by an agent that died, only when the pid still runs
 * the configured program (so a recycled pid is never signalled): SIGTERM, as a cancel would.
 */
export function stopOrphanGroup(pid: number, argv0: string): boolean {
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')[0] !== argv0) return false;
    process.kill(-pid, 'SIGTERM');
    return true;
  } catch {
    return false;
  }
}
