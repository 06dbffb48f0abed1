import { commandUsing } from '../src/core/define-command.js';
import { UserError } from '../src/core/errors.js';
import { DeviceError } from '../src/services/devices/errors.js';
import { mention, msg } from '../src/core/message.js';
import { reply } from '../src/core/reply.js';
import type { BurnsPort } from '../src/services/burns.js';
import { describeBurn, describeBurnNow } from './burn-describe.js';
import { burnsOf } from './shared/burns.js';
import { newJobId } from '../src/services/queue/types.js';
import { notQueued } from '../src/jobs/not-queued.js';
import { openJobThread } from '../src/jobs/job-thread.js';
import { whereItShows } from '../src/services/queue/no-worker.js';
import { hasEnded, watchJob } from '../src/jobs/watch.js';
import type { RelayPort } from '../src/relay/entry.js';
import type { WebPort } from '../src/services/web/index.js';
import { fullOutput } from './job-link.js';
import type { JobLogPort } from '../src/services/job-log/types.js';
import { burnStart, recordEnd } from '../src/jobs/job-ends.js';

/** The ports this command uses (docs/architecture.md, "Ports"). */
type Uses = BurnsPort & RelayPort & WebPort & JobLogPort;

export default commandUsing<Uses>()({
  name: 'burn',
  description: 'Burn an ISO image to a CD/DVD drive, with progress in a thread',
  examples: ['/burn release-1.4.iso', '/burn release-1.4.iso dvd1 --no-verify', '/burn status b7k2x9q', '/burn cancel b7k2x9q', '/burn watch b7k2x9q', '/burn list'],
  roles: ['operator'],
  sideEffects: true,
  defaultSubcommand: 'start',
  subcommands: {
    start: {
      description: 'queue a burn',
      args: [
        { name: 'image', type: 'image', description: 'image name (see /images)', required: true, autocomplete: 'images' },
        { name: 'drive', type: 'drive', description: 'drive name (see /drives)' },
        { name: 'no-verify', type: 'boolean', description: 'skip the read-back verify', flag: true },
      ],
      roles: ['operator'],
      sideEffects: true,
      async handler(ctx) {
        const burns = burnsOf(ctx);
        const image = ctx.args.image;
        const drive = await burns.resolveDrive(ctx.args.drive);
        await burns.image(drive.agent, image);
        const id = newJobId();
        const who = ctx.invocation.principal;
        const thread = await openJobThread(ctx, burns.queue, id, `burn of ${image} on ${drive.drive}`, msg`burning ${image} on ${drive.drive} for ${mention(who)} (job ${id})${fullOutput(ctx.services, id)}`);
        try {
          const { position, note } = await burns.add(id, drive, image, ctx.args['no-verify'] !== true, who, thread.ref);
          ctx.setJobId(id);
          if (position > 0) {
            // Sent now, not after the edit interval: later, the worker may already own the status message.
            thread.status(`queued: ${position} job${position === 1 ? '' : 's'} ahead on ${drive.drive}`);
            await thread.flush();
          }
          // "starting now" only when a worker takes it: otherwise the job waits, and the ack says so instead.
          const place = position > 0 ? ` (${position} ahead of it)` : note ? '' : ' (starting now)';
          return reply(`burn job ${id} queued on ${drive.agent}/${drive.drive}${place}${whereItShows(note, 'progress')}`);
        } catch (err) {
          await notQueued(ctx, thread, id, 'burn', err, { store: ctx.services.jobLog, start: burnStart(id, { image, drive: drive.drive, requester: who, requestedAt: new Date().toISOString() }) });
          throw err;
        }
      },
    },
    status: {
      description: 'one job, or every running job',
      args: [{ name: 'job', type: 'job', description: 'job id' }],
      roles: ['viewer'],
      sideEffects: false,
      async handler(ctx) {
        const burns = burnsOf(ctx);
        if (ctx.args.job !== undefined) return reply(await describeBurnNow(burns, await burns.job(ctx.args.job)));
        const running = (await burns.queue.list()).filter((j) => j.state === 'running');
        const lines = await Promise.all(running.map((j) => describeBurnNow(burns, j)));
        return reply(lines.length ? lines.join('\n') : 'no burn is running; /burn list shows the queue');
      },
    },
    cancel: {
      description: 'remove a queued job or abort a running one',
      args: [{ name: 'job', type: 'job', description: 'job id', required: true }],
      roles: ['operator'],
      sideEffects: true,
      async handler(ctx) {
        const burns = burnsOf(ctx);
        const id = ctx.args.job;
        const job = await burns.job(id);
        ctx.setJobId(id);
        const by = mention(ctx.invocation.principal);
        const outcome = await burns.queue.removeQueued(id);
        if (outcome === 'removed') {
          await recordEnd(ctx.services.jobLog, burnStart(id, job.data), 'cancelled', `burn cancelled by ${ctx.invocation.principal.name} before it started`, ctx.log);
          await ctx.reopenThread(job.data.thread)?.finish('✘ cancelled', msg`burn cancelled by ${by} before it started`);
          return reply(`burn job ${id} removed from the queue`);
        }
        if (outcome === 'running') {
          // Marked first: a job still waiting for its drive (not yet on the agent) then never starts.
          await burns.queue.requestCancel(id);
          try {
            await burns.devices.cancel(job.data.agent, id);
          } catch (err) {
            if (!(err instanceof DeviceError) || err.agentCode !== 'unknown_job') throw err;
            return reply(`burn job ${id} had not reached the drive yet; it will not start`);
          }
          return reply(`cancelling burn job ${id} on ${job.data.drive}; the thread shows when it has stopped`);
        }
        throw new UserError('conflict', `burn job ${id} has already ${outcome === 'failed' ? 'failed' : 'finished'}`);
      },
    },
    watch: {
      description: 'follow a job, wherever it started, to its end',
      args: [{ name: 'job', type: 'job', description: 'job id', required: true }],
      roles: ['viewer'],
      sideEffects: false,
      async handler(ctx) {
        const burns = burnsOf(ctx);
        const job = await burns.job(ctx.args.job);
        const { image, agent, drive, requester } = job.data;
        return watchJob(ctx, {
          kind: 'burn',
          id: job.id,
          state: job.state,
          thread: job.data.thread,
          title: `${image} on ${agent}/${drive} for ${requester.name}`,
          summary: describeBurn(job),
          ended: async () => {
            const now = await burns.queue.get(job.id);
            return now && hasEnded(now.state) ? describeBurn(now) : undefined;
          },
        });
      },
    },
    list: {
      description: 'queued and running jobs per drive',
      roles: ['viewer'],
      sideEffects: false,
      async handler(ctx) {
        const burns = burnsOf(ctx);
        const lines = await Promise.all((await burns.queue.list()).map((j) => describeBurnNow(burns, j)));
        return reply(lines.length ? lines.join('\n') : 'no burns queued or running');
      },
    },
  },
});
