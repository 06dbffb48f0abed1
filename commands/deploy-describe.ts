import type { TargetState } from '../src/services/deploy/service.js';
import { describeHolder } from '../src/services/deploy/service.js';
import type { DeployJobView } from '../src/services/deploy/types.js';

/** One /deploy list line: the target, what it runs, its lock, and its last deploy. */
export function describeDeploy(s: TargetState): string {
  const t = s.target;
  const what = t.kind === 'webhook' ? 'webhook' : `${t.command} on ${t.agent}`;
  const flags = [what, ...(t.confirm ? ['asks to confirm'] : [])].join(', ');
  const lock = s.lock ? `🔒 locked by ${describeHolder(s.lock)}` : 'unlocked';
  const last = s.last
    ? `last: ${s.last.ref} by ${s.last.by.name} at ${s.last.at.slice(0, 16).replace('T', ' ')} UTC, ${s.last.outcome === 'ok' ? '✔' : '✘'} ${s.last.summary}`
    : 'never deployed here';
  return `${t.name} (${flags}): ${lock}; ${last}`;
}

/** A deploy job in /jobs. */
export function describeDeployJob(j: DeployJobView): string {
  const head = `${j.id} ${j.data.target} at ${j.data.ref} for ${j.data.requester.name}`;
  const lines = j.progress ? `, ${j.progress.lines} lines of output` : '';
  // The worker's last report is stale once it stops reporting: say so rather than "running".
  if (j.state === 'running' && j.silentMs !== undefined)
    return `${head}: no worker has reported for ${Math.round(j.silentMs / 1000)} s; waiting for another to pick it up (last reported: running${lines})`;
  if (j.state === 'running') return `${head}: running${lines}`;
  if (j.state === 'queued') return `${head}: queued`;
  // A job that ended without an error may still not have succeeded (a cancelled deploy).
  if (j.state === 'finished' && j.result && !j.result.ok) return `${head}: ✘ ${j.result.outcome}`;
  return `${head}: ${j.state}`;
}
