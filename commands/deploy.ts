import type { ArgsOf } from '../src/core/arg-types.js';
import { commandUsing, type CommandContext } from '../src/core/define-command.js';
import { UserError } from '../src/core/errors.js';
import { mention, msg } from '../src/core/message.js';
import { reply } from '../src/core/reply.js';
import { describeHolder, type DeployService, type DeploysPort } from '../src/services/deploy/service.js';
import type { DeployTarget } from '../src/services/deploy/types.js';
import { newJobId } from '../src/services/queue/types.js';
import { whereItShows } from '../src/services/queue/no-worker.js';
import { describeDeploy, describeDeployJob } from './deploy-describe.js';
import { notQueued } from '../src/jobs/not-queued.js';
import { openJobThread } from '../src/jobs/job-thread.js';
import { hasEnded, watchJob } from '../src/jobs/watch.js';
import type { RelayPort } from '../src/relay/entry.js';
import type { WebPort } from '../src/services/web/index.js';
import { fullOutput } from './job-link.js';
import { cancelDeclaredRun, mayRunIt } from './declared/run-job.js';
import type { JobLogPort } from '../src/services/job-log/types.js';
import { deployStart, recordEnd } from '../src/jobs/job-ends.js';

/** The ports this command uses (docs/architecture.md, "Ports"). */
type Uses = DeploysPort & RelayPort & WebPort & JobLogPort;

const target = { name: 'target', type: 'target', description: 'deploy target (see /deploy list)', required: true, autocomplete: 'targets' } as const;
const runArgs = [target, { name: 'ref', type: 'ref', description: 'branch, tag or commit (the target decides what is allowed)' }] as const;
const jobArg = { name: 'job', type: 'job', description: 'deploy job id (see /jobs)', required: true } as const;

function deploysOf(ctx: CommandContext<unknown, Uses>): DeployService {
  const d = ctx.services.deploys;
  if (!d) throw new UserError('not_configured', 'deploying is not configured here (no deploy.targets)');
  return d;
}

/** The target named in the arguments, if the caller may act on it: its own `roles` replace deployer (admin always may). */
function targetFor(ctx: CommandContext<unknown, Uses>, deploys: DeployService, name: string, doing: string): DeployTarget {
  const t = deploys.target(name);
  const key = ctx.invocation.principal.key;
  if (!deploys.mayDeploy(t, ctx.access.rolesOf(ctx.invocation.principal))) {
    const own = t.roles ? ` (${t.name} names its own roles, which replace deployer)` : '';
    throw new UserError('denied', `${doing} ${t.name} needs the ${[...(t.roles ?? ['deployer']), 'admin'].join(' or ')} role${own}; your key is ${key}`);
  }
  return t;
}

/** Everything that refuses a deploy before anything is asked, queued or locked. */
async function check(ctx: CommandContext<ArgsOf<typeof runArgs>, Uses>): Promise<{ deploys: DeployService; t: DeployTarget; ref: string }> {
  const deploys = deploysOf(ctx);
  const t = targetFor(ctx, deploys, ctx.args.target, 'deploying');
  deploys.ready(t);
  const ref = deploys.ref(t, ctx.args.ref);
  const held = await deploys.store.holder(t.name);
  if (held) throw new UserError('conflict', `${t.name} is locked by ${describeHolder(held)}`);
  return { deploys, t, ref };
}

export default commandUsing<Uses>()({
  name: 'deploy',
  description: 'Deploy a target (a CI webhook or a command on an agent host), with output in a thread',
  examples: ['/deploy site main', '/deploy list', '/deploy lock site release freeze', '/deploy unlock site', '/deploy cancel d7k2x9q', '/deploy watch d7k2x9q'],
  roles: ['deployer'],
  sideEffects: true,
  defaultSubcommand: 'run',
  subcommands: {
    run: {
      description: 'deploy a target at a ref (needs deployer, or the target\'s own roles when it names some)',
      args: runArgs,
      roles: ['deployer'],
      sideEffects: true,
      // Two-person approval (docs/access.md): someone else with one of these roles must approve.
      approvers: async (ctx) => (await check(ctx)).t.approvers,
      async confirm(ctx) {
        const { t, ref } = await check(ctx);
        return t.confirm ? `deploy ${t.name} at ${ref}?` : undefined;
      },
      async handler(ctx) {
        const { deploys, t, ref } = await check(ctx);
        const id = newJobId('d');
        const who = ctx.invocation.principal;
        const thread = await openJobThread(ctx, deploys.queue, id, `deploy of ${t.name} ${ref}`, msg`deploying ${t.name} at ${ref} for ${mention(who)} (job ${id})${fullOutput(ctx.services, id)}`);
        try {
          const { note } = await deploys.start(id, t, ref, who, thread.ref);
          ctx.setJobId(id);
          return reply(`deploy job ${id} of ${t.name} at ${ref} queued${whereItShows(note, 'output')}`);
        } catch (err) {
          await notQueued(ctx, thread, id, 'deploy', err, { store: ctx.services.jobLog, start: deployStart(id, { target: t.name, ref, requester: who, requestedAt: new Date().toISOString() }) });
          throw err;
        }
      },
    },
    list: {
      description: 'targets, lock state and the last deploy of each',
      roles: ['viewer'],
      sideEffects: false,
      async handler(ctx) {
        const states = await deploysOf(ctx).states();
        return reply(states.length ? states.map(describeDeploy).join('\n') : 'no deploy targets are configured');
      },
    },
    lock: {
      description: 'lock a target so nobody deploys it',
      args: [target, { name: 'reason', type: 'text', description: 'why (shown to whoever tries to deploy)', maxLength: 200 }],
      roles: ['deployer'],
      sideEffects: true,
      async handler(ctx) {
        const deploys = deploysOf(ctx);
        const t = targetFor(ctx, deploys, ctx.args.target, 'locking');
        await deploys.lock(t, ctx.invocation.principal, ctx.args.reason);
        return reply(`${t.name} is locked by you${ctx.args.reason ? ` ("${ctx.args.reason}")` : ''}; /deploy unlock ${t.name} frees it`, { visibility: 'channel' });
      },
    },
    unlock: {
      description: 'unlock a target; its holder or an admin may',
      args: [target],
      roles: ['deployer'],
      sideEffects: true,
      async handler(ctx) {
        const deploys = deploysOf(ctx);
        const t = targetFor(ctx, deploys, ctx.args.target, 'unlocking');
        const who = ctx.invocation.principal;
        const held = await deploys.unlock(t, who, ctx.access.rolesOf(who).includes('admin'));
        const theirs = held.by.key === who.key ? '' : ` (it was held by ${held.by.name})`;
        return reply(`${t.name} is unlocked${theirs}`, { visibility: 'channel' });
      },
    },
    cancel: {
      description: 'stop a running command deploy, or drop a queued one',
      args: [jobArg],
      roles: ['deployer'],
      sideEffects: true,
      async handler(ctx) {
        const deploys = deploysOf(ctx);
        const id = ctx.args.job;
        const job = await deploys.job(id);
        ctx.setJobId(id);
        if (job.data.run) return cancelDeclaredRun(ctx, deploys, job);
        const t = targetFor(ctx, deploys, job.data.target, 'cancelling a deploy of');
        const by = mention(ctx.invocation.principal);
        const outcome = await deploys.queue.removeQueued(id);
        if (outcome === 'removed') {
          await deploys.releaseFor(t.name, id);
          await recordEnd(ctx.services.jobLog, deployStart(id, job.data), 'cancelled', `deploy cancelled by ${ctx.invocation.principal.name} before it started`, ctx.log);
          await ctx.reopenThread(job.data.thread)?.finish('✘ cancelled', msg`deploy cancelled by ${by} before it started`);
          return reply(`deploy job ${id} removed from the queue; ${t.name} is unlocked`);
        }
        if (outcome !== 'running') throw new UserError('conflict', `deploy job ${id} has already ${outcome === 'failed' ? 'failed' : 'finished'}`);
        if ((await deploys.cancelRunning(t, id)) === 'not_started') return reply(`deploy job ${id} had not reached ${t.agent} yet; it will not start (one that was starting just then is stopped at once), and the thread says so`);
        return reply(`cancelling deploy job ${id} on ${t.agent}; the thread shows when it has stopped and ${t.name} is unlocked then`);
      },
    },
    watch: {
      description: 'follow a deploy, wherever it started, to its end',
      args: [jobArg],
      roles: ['viewer'],
      sideEffects: false,
      async handler(ctx) {
        const deploys = deploysOf(ctx);
        const job = await deploys.job(ctx.args.job);
        const { target, ref, requester } = job.data;
        if (job.data.run) mayRunIt(ctx, job, 'watch');
        return watchJob(ctx, {
          kind: 'deploy',
          id: job.id,
          state: job.state,
          thread: job.data.thread,
          title: `${target} at ${ref} for ${requester.name}`,
          summary: describeDeployJob(job),
          ended: async () => {
            const now = await deploys.queue.get(job.id);
            return now && hasEnded(now.state) ? describeDeployJob(now) : undefined;
          },
        });
      },
    },
  },
});
