import { describeBurn } from '../../../../commands/burn-describe.js';
import { describeDeployJob } from '../../../../commands/deploy-describe.js';
import type { ThreadRef } from '../../../core/thread.js';
import type { Services } from '../../../app/services.js';
import type { JobState } from '../../../services/queue/jobs.js';

/** One job as the web pages show it, burns and deploys alike. */
export interface WebJob {
  readonly kind: 'burn' | 'deploy';
  readonly id: string;
  readonly state: JobState;
  readonly summary: string;
  readonly requester: string;
  readonly requestedAt: string;
  readonly thread: ThreadRef;
  /** A running burn's progress, 0..1. */
  readonly fraction?: number;
  /** An ended job: whether it did what was asked (a cancelled or failed burn did not). */
  readonly ok?: boolean;
  readonly startedAt?: number;
  readonly endedAt?: number;
  /** A declared run command's job: the command it belongs to, and who started it (docs/commands.md). */
  readonly command?: { readonly name: string; readonly requesterKey: string };
}

/** Queued and running jobs of every kind, as /jobs lists them. */
export async function activeJobs(services: Services): Promise<WebJob[]> {
  const out: WebJob[] = [];
  if (services.burns) for (const j of await services.burns.queue.list()) out.push(burnJob(j));
  if (services.deploys) for (const j of await services.deploys.queue.list()) out.push(deployJob(j));
  return out;
}

/** Ended jobs of every kind, newest first, as long as their queues keep them. */
export async function recentJobs(services: Services, limit: number): Promise<WebJob[]> {
  const burns = (await services.burns?.queue.history?.(limit)) ?? [];
  const deploys = (await services.deploys?.queue.history?.(limit)) ?? [];
  const all = [...burns.map(burnJob), ...deploys.map(deployJob)];
  return all.sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0)).slice(0, limit);
}

/** One job by id, whichever kind it is; undefined when no queue knows it. */
export async function findJob(services: Services, id: string): Promise<WebJob | undefined> {
  const b = await services.burns?.queue.get(id);
  if (b) return burnJob(b);
  const d = await services.deploys?.queue.get(id);
  return d && deployJob(d);
}

type BurnView = Awaited<ReturnType<NonNullable<Services['burns']>['queue']['list']>>[number];
type DeployView = Awaited<ReturnType<NonNullable<Services['deploys']>['queue']['list']>>[number];

function burnJob(j: BurnView): WebJob {
  const p = j.progress;
  const fraction = p && p.total > 0 ? p.bytes / p.total : undefined;
  return { kind: 'burn', id: j.id, state: j.state, summary: describeBurn(j), requester: j.data.requester.name, requestedAt: j.data.requestedAt, thread: j.data.thread, ...(fraction !== undefined ? { fraction } : {}), ...times(j) };
}

function deployJob(j: DeployView): WebJob {
  const command = j.data.run ? { command: { name: j.data.target, requesterKey: j.data.requester.key } } : {};
  return { kind: 'deploy', id: j.id, state: j.state, summary: describeDeployJob(j), requester: j.data.requester.name, requestedAt: j.data.requestedAt, thread: j.data.thread, ...times(j), ...command };
}

function times(j: { state: JobState; result?: { ok: boolean }; startedAt?: number; endedAt?: number }) {
  const ended = j.state === 'finished' || j.state === 'failed';
  return {
    ...(ended ? { ok: j.state === 'finished' && j.result?.ok === true } : {}),
    ...(j.startedAt !== undefined ? { startedAt: j.startedAt } : {}),
    ...(j.endedAt !== undefined ? { endedAt: j.endedAt } : {}),
  };
}

/** Job ids as /burn and /deploy take them. */
export const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
