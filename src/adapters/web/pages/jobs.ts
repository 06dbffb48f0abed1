import { describeBurn } from '../../../../commands/burn-describe.js';
import { describeDeployJob } from '../../../../commands/deploy-describe.js';
import type { ThreadRef } from '../../../core/thread.js';
import type { Services } from '../../../app/services.js';
import type { JobState } from '../../../services/queue/jobs.js';
import type { JobOutcome, JobRecord } from '../../../services/job-log/types.js';

/** One job as the web pages show it, burns and deploys alike. */
export interface WebJob {
  readonly kind: 'burn' | 'deploy';
  readonly id: string;
  readonly state: JobState;
  readonly summary: string;
  readonly requester: string;
  readonly requestedAt: string;
  /** The job's chat thread; a job known only from its durable record (its queue forgot it) has none here. */
  readonly thread?: ThreadRef;
  /** A running burn's progress, 0..1. */
  readonly fraction?: number;
  /** An ended job: whether it did what was asked (a cancelled or failed burn did not). */
  readonly ok?: boolean;
  /** An ended job from its durable record: how it ended (cancelled, not queued and lost are not "failed"). */
  readonly outcome?: JobOutcome;
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

/**
 * Ended jobs of every kind, newest first: the durable record (docs/web.md, "Job history and output"),
 * and what the queues still keep of jobs it lacks (a worker lost before it recorded the end).
 */
export async function recentJobs(services: Services, limit: number): Promise<WebJob[]> {
  const recorded = ((await services.jobLog?.history(limit)) ?? []).map(recordJob);
  const known = new Set(recorded.map((j) => j.id));
  const burns = (await services.burns?.queue.history?.(limit)) ?? [];
  const deploys = (await services.deploys?.queue.history?.(limit)) ?? [];
  const queued = [...burns.map(burnJob), ...deploys.map(deployJob)].filter((j) => !known.has(j.id));
  return [...recorded, ...queued].sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0)).slice(0, limit);
}

/** One job by id, whichever kind it is: from its queue, else from its durable record; undefined when neither knows it. */
export async function findJob(services: Services, id: string): Promise<WebJob | undefined> {
  const b = await services.burns?.queue.get(id);
  if (b) return burnJob(b);
  const d = await services.deploys?.queue.get(id);
  if (d) return deployJob(d);
  const r = await services.jobLog?.get(id);
  return r && recordJob(r);
}

/** A job as its durable record has it: no thread; a declared run command's job still follows its command's roles. */
function recordJob(r: JobRecord): WebJob {
  const ended = r.endedAt !== undefined;
  return {
    kind: r.kind,
    id: r.id,
    state: ended ? (r.ok ? 'finished' : 'failed') : 'running',
    summary: r.result ?? r.summary,
    requester: r.requester,
    requestedAt: r.startedAt.toISOString(),
    startedAt: r.startedAt.getTime(),
    ...(r.command ? { command: { name: r.command, requesterKey: r.requesterKey } } : {}),
    ...(ended ? { ok: r.ok === true, endedAt: r.endedAt?.getTime() } : {}),
    ...(ended && r.outcome ? { outcome: r.outcome } : {}),
  };
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
