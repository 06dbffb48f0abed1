import { describeBurnNow } from '../../../commands/burn-describe.js';
import { describeDeployJob } from '../../../commands/deploy-describe.js';
import { UserError } from '../../core/errors.js';
import type { PluginJob, PluginJobRecord, PluginJobs } from '../../core/plugin-ports.js';
import type { BurnsPort } from '../../services/burns.js';
import type { DeploysPort } from '../../services/deploy/service.js';
import type { JobLogPort, JobRecord } from '../../services/job-log/types.js';
import type { JobView } from '../../services/queue/jobs.js';
import type { Principal } from '../../core/principal.js';
import { count } from './notes.js';

/**
 * `ctx.jobs` (docs/plugins.md): the jobs /jobs lists, worded as it words them, and the job history
 * (docs/web.md, "Job history and output"). Read-only: starting and cancelling stay with /burn and /deploy.
 */
export function jobsPort(services: BurnsPort & DeploysPort & JobLogPort): PluginJobs {
  const configured = services.burns !== undefined || services.deploys !== undefined;
  const none = () => new UserError('not_configured', 'no job queue is configured here');
  return Object.freeze({
    configured,
    async list(): Promise<readonly PluginJob[]> {
      if (!configured) throw none();
      const out: PluginJob[] = [];
      const burns = services.burns;
      if (burns) for (const j of await burns.queue.list()) out.push(job('burn', j, await describeBurnNow(burns, j)));
      if (services.deploys) for (const j of await services.deploys.queue.list()) out.push(job('deploy', j, describeDeployJob(j)));
      return Object.freeze(out);
    },
    async recent(limit?: number): Promise<readonly PluginJobRecord[]> {
      const n = count(limit, 10);
      if (!configured) throw none();
      return Object.freeze(((await services.jobLog?.history(n)) ?? []).map(record));
    },
  });
}

function job(kind: 'burn' | 'deploy', j: JobView<{ readonly requester: Principal }, unknown, unknown>, text: string): PluginJob {
  return Object.freeze({ id: j.id, kind, state: j.state, requester: Object.freeze({ key: j.data.requester.key, name: j.data.requester.name }), text });
}

function record(r: JobRecord): PluginJobRecord {
  return Object.freeze({
    id: r.id,
    kind: r.kind,
    summary: r.summary,
    requester: r.requester,
    startedAt: new Date(r.startedAt.getTime()),
    ...(r.endedAt ? { endedAt: new Date(r.endedAt.getTime()) } : {}),
    ...(r.ok !== undefined ? { ok: r.ok } : {}),
    ...(r.outcome !== undefined ? { outcome: r.outcome } : {}),
    ...(r.result !== undefined ? { result: r.result } : {}),
  });
}
