import { renderProgress } from '../src/jobs/progress.js';
import type { BurnService } from '../src/services/burns.js';
import type { BurnResult, JobStatus } from '../src/services/devices/types.js';
import type { BurnJobView } from '../src/services/queue/types.js';

/** One job in /burn status, /burn list and /jobs; `agent` is what the agent said about a job whose worker is lost. */
export function describeBurn(j: BurnJobView, agent?: JobStatus): string {
  const head = `${j.id} ${j.data.image} on ${j.data.agent}/${j.data.drive} for ${j.data.requester.name}`;
  switch (j.state) {
    case 'queued':
      return `${head}: queued${j.position ? `, ${j.position} ahead` : ''}`;
    case 'running':
      if (j.silentMs !== undefined) return `${head}: ${lostLine(j, agent)}`;
      return `${head}: ${j.progress ? renderProgress(j.progress) : 'starting'}`;
    case 'finished':
      return `${head}: ${j.result ? resultLine(j.result) : '✘ finished'}`;
    case 'failed':
      return `${head}: ✘ failed: ${j.error ?? 'unknown error'}`;
  }
}

/**
 * The same, asking the agent about a job whose worker has stopped reporting: the progress stored
 * by that worker is stale (the burn may even have ended), and the agent is the source of truth.
 */
export async function describeBurnNow(burns: BurnService, j: BurnJobView): Promise<string> {
  if (j.state !== 'running' || j.silentMs === undefined) return describeBurn(j);
  return describeBurn(j, await burns.devices.status(j.data.agent, j.id).catch(() => undefined));
}

function resultLine(r: BurnResult): string {
  return `${r.ok ? 'done ✔' : `✘ ${r.outcome}`}${r.message ? ` (${r.message})` : ''}`;
}

function lostLine(j: BurnJobView, agent: JobStatus | undefined): string {
  const silence = `no worker has reported for ${Math.round((j.silentMs ?? 0) / 1000)} s; waiting for another to pick it up`;
  if (agent?.state === 'running') return `${silence} (the agent says: ${agent.progress ? renderProgress(agent.progress) : 'running'})`;
  if (agent?.state === 'finished') return `${silence} (the agent says it has ended: ${resultLine(agent.result)})`;
  return `${silence} (last reported: ${j.progress ? renderProgress(j.progress) : 'starting'})`;
}
