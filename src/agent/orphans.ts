import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupMembers, signalGroup } from './runner/process-group.js';

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
 * Whether process `pid` was started with `OPSLINE_JOB_ID=<jobId>`, as every process of that run is
 * (src/agent/runner/run-job.ts): 'yes', 'no', or 'unreadable' (a setuid program such as sudo, another user's).
 */
function ofJob(pid: number, jobId: string): 'yes' | 'no' | 'unreadable' {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return 'unreadable';
  }
  return environ.split('\0').includes(`OPSLINE_JOB_ID=${jobId}`) ? 'yes' : 'no';
}

/**
 * Stops the process group of a run command left by an agent that died (docs/agent.md, "Jobs survive restarts"),
 * when it is the job's: a process of the group carries the job's id in its environment (the command, or what it
 * left running after it exited), or the command itself still runs the configured program and its environment
 * cannot be read (a setuid program such as sudo). A pid used again by another process of the same program is
 * not the job's: its environment says so. SIGTERM, as a cancel would, then SIGKILL to whatever of the group is
 * left after `graceMs`, without holding up the agent's start.
 */
export function stopOrphanGroup(pid: number, argv0: string, jobId: string, graceMs = 5_000): boolean {
  const marked = groupMembers(pid).some((m) => ofJob(m, jobId) === 'yes');
  const unreadableLeader = runs(pid, argv0) && ofJob(pid, jobId) === 'unreadable';
  if (!(marked || unreadableLeader) || !signalGroup(pid, 'SIGTERM')) return false;
  // A group's id is not given to another while any process is in it, so what is left is still the job's.
  setTimeout(() => {
    if (groupMembers(pid).length > 0) signalGroup(pid, 'SIGKILL');
  }, graceMs);
  return true;
}

/** True when `pid` is alive and runs `argv0`. */
function runs(pid: number, argv0: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')[0] === argv0;
  } catch {
    return false;
  }
}
