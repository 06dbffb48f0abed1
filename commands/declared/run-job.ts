import type { RunCommandEntry } from '../../src/config/declared-run.js';
import type { Args, CommandContext } from '../../src/core/define-command.js';
import { UserError } from '../../src/core/errors.js';
import { mention, msg } from '../../src/core/message.js';
import { reply, type Reply } from '../../src/core/reply.js';
import { notQueued } from '../../src/jobs/not-queued.js';
import { openJobThread } from '../../src/jobs/job-thread.js';
import { threadPosted } from '../../src/services/queue/thread-posted.js';
import { MaybeDoneError } from '../../src/services/redis-errors.js';
import { noWorkerNote, whereItShows } from '../../src/services/queue/no-worker.js';
import { newJobId } from '../../src/services/queue/types.js';
import type { DeployService, DeploysPort } from '../../src/services/deploy/service.js';
import type { DeployJobView } from '../../src/services/deploy/types.js';
import type { JobLogPort } from '../../src/services/job-log/types.js';
import { deployStart, recordEnd } from '../../src/jobs/job-ends.js';

/**
 * The job form of a declared run command: a deploy-kind job (src/jobs/deploy.ts runs it), so it gets
 * that machinery whole: one per command at a time (its lane), a thread with the live status and the
 * log in chunks, re-attach by job id through the agent's ledger after a worker restart, `/deploy watch`
 * and `/deploy cancel` by job id.
 */
export async function startRunJob(ctx: CommandContext<Args, DeploysPort & JobLogPort>, entry: RunCommandEntry, values: ReadonlyMap<string, string>): Promise<Reply> {
  const deploys = ctx.services.deploys;
  // Built at start whenever agents are configured (src/jobs/deploy-setup.ts), so a reload can add the first job command.
  if (!deploys) throw new UserError('not_configured', `/${entry.name} runs as a job on the deploy queue, which the bot builds at start when agents, deploy.targets or a run command in job form are configured: restart the bot (a reload does not build it)`);
  const shown = [...values].map(([k, v]) => `${k}=${v}`).join(' ');
  const id = newJobId('r');
  const who = ctx.invocation.principal;
  const thread = await openJobThread(ctx, deploys.queue, id, `/${entry.name}${shown ? ` ${shown}` : ''}`, msg`/${entry.name}${shown ? ` ${shown}` : ''} on ${entry.agent} for ${mention(who)} (job ${id})`);
  const data = { target: entry.name, ref: shown, requester: who, thread: thread.ref, requestedAt: new Date().toISOString(), run: { agent: entry.agent, command: entry.run, args: [...values] } };
  try {
    await threadPosted(deploys.queue, id, data);
    await deploys.queue.add(id, data).catch(async (err: unknown) => {
      // One that may be queued keeps its opening: if it was not queued after all, the sweep says so in its thread.
      if (!(err instanceof MaybeDoneError)) await deploys.queue.dropOpening?.(id);
      throw err;
    });
    ctx.setJobId(id);
    const note = await noWorkerNote(deploys.queue, data, `/${entry.name}`);
    return reply(`job ${id}: /${entry.name} queued${whereItShows(note, 'output')}; /deploy watch ${id} follows it, /deploy cancel ${id} stops it`);
  } catch (err) {
    await notQueued(ctx, thread, id, 'deploy', err, { store: ctx.services.jobLog, start: deployStart(id, data) });
    throw err;
  }
}

/**
 * A declared run job is its command's, not /deploy's: whoever acts on it (cancel, watch) holds the
 * command's own roles (with access.commands and access.channels), or started it.
 */
export function mayRunIt(ctx: CommandContext<Args, unknown>, job: DeployJobView, what: string): void {
  const who = ctx.invocation.principal;
  if (job.data.requester.key === who.key) return;
  const roles = ctx.registry.get(job.data.target)?.roles ?? ['admin'];
  const d = ctx.access.decide(who, job.data.target, roles, ctx.invocation.room);
  if (!d.allow) throw new UserError('denied', `to ${what} job ${job.id} you need what /${job.data.target} needs: the ${d.needed.join(' or ')} role`);
}

/** `/deploy cancel` of a declared run command's job: dropped from the queue, or stopped on its agent. */
export async function cancelDeclaredRun(ctx: CommandContext<Args, JobLogPort>, deploys: DeployService, job: DeployJobView): Promise<Reply> {
  const run = job.data.run;
  if (!run) throw new UserError('internal', `job ${job.id} is not a declared command`);
  mayRunIt(ctx, job, 'cancel');
  const outcome = await deploys.queue.removeQueued(job.id);
  if (outcome === 'removed') {
    await recordEnd(ctx.services.jobLog, deployStart(job.id, job.data), 'cancelled', `/${job.data.target} cancelled by ${ctx.invocation.principal.name} before it started`, ctx.log);
    await ctx.reopenThread(job.data.thread)?.finish('✘ cancelled', msg`/${job.data.target} cancelled by ${mention(ctx.invocation.principal)} before it started`);
    return reply(`job ${job.id} removed from the queue`);
  }
  if (outcome !== 'running') throw new UserError('conflict', `job ${job.id} has already ${outcome === 'failed' ? 'failed' : 'finished'}`);
  if ((await deploys.cancelOnAgent(run.agent, job.id)) === 'not_started') return reply(`job ${job.id} (/${job.data.target}) had not reached ${run.agent} yet; it will not start (one that was starting just then is stopped at once), and the thread says so`);
  return reply(`cancelling job ${job.id} (/${job.data.target}) on ${run.agent}; the thread shows when it has stopped`);
}
