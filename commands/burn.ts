import { fullOutput } from './job-link.js';
import { defineCommand, type CommandContext } from '../src/core/define-command.js';
import { UserError, withOutcome } from '../src/core/errors.js';
import { DeviceError } from '../src/services/devices/errors.js';
import { reply } from '../src/core/reply.js';
import type { BurnService } from '../src/services/burns.js';
import { describeBurn, describeBurnNow } from './burn-describe.js';
import { newJobId } from '../src/services/queue/types.js';
import { notQueued } from '../src/jobs/not-queued.js';
import { whereItShows } from '../src/services/queue/no-worker.js';
import { hasEnded, watchJob } from '../src/jobs/watch.js';

const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.iso$/;
const JOB = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const DRIVE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}(\/[A-Za-z0-9][A-Za-z0-9_-]{0,31})?$/;

export function burnsOf(ctx: CommandContext): BurnService {
  const burns = ctx.services.burns;
  if (!burns) throw new UserError(ctx.services.devicesOff ? 'unavailable' : 'not_configured', ctx.services.devicesOff ?? 'burning is not configured here (no device agents and no job queue)');
  return burns;
}

export default defineCommand({
  name: 'burn',
  description: 'Burn an ISO image to a CD/DVD drive, with progress in a thread',
  usage: '/burn <image.iso> [drive] [--no-verify] | status [job] | cancel <job> | watch <job> | list',
  examples: ['/burn release-1.4.iso', '/burn release-1.4.iso dvd1 --no-verify', '/burn status b7k2x9q', '/burn cancel b7k2x9q', '/burn watch b7k2x9q', '/burn list'],
  roles: ['operator'],
  sideEffects: true,
  defaultSubcommand: 'start',
  subcommands: {
    start: {
      description: 'queue a burn',
      usage: '/burn <image.iso> [drive] [--no-verify]',
      args: [
        { name: 'image', type: 'string', description: 'image name (see /images)', required: true, pattern: IMAGE, patternHint: 'must be an image name ending in .iso (letters, digits, . _ -); /images lists them', maxLength: 132, autocomplete: 'images' },
        { name: 'drive', type: 'string', description: 'drive name (see /drives)', pattern: DRIVE, maxLength: 65 },
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
        // The thread comes first: if it cannot be posted, nothing was queued, and the reply says so.
        const thread = await ctx.openThread(`burning ${image} on ${drive.drive} for ${ctx.mention(who)} (job ${id})${fullOutput(ctx, id)}`, 'queued').catch((err: unknown) => {
          throw withOutcome(err, 'nothing was queued');
        });
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
          await notQueued(ctx, thread, id, 'burn', err);
          throw err;
        }
      },
    },
    status: {
      description: 'one job, or every running job',
      usage: '/burn status [job]',
      args: [{ name: 'job', type: 'string', description: 'job id', pattern: JOB, maxLength: 64 }],
      roles: ['viewer'],
      sideEffects: false,
      async handler(ctx) {
        const burns = burnsOf(ctx);
        if (typeof ctx.args.job === 'string') return reply(await describeBurnNow(burns, await burns.job(ctx.args.job)));
        const running = (await burns.queue.list()).filter((j) => j.state === 'running');
        const lines = await Promise.all(running.map((j) => describeBurnNow(burns, j)));
        return reply(lines.length ? lines.join('\n') : 'no burn is running; /burn list shows the queue');
      },
    },
    cancel: {
      description: 'remove a queued job or abort a running one',
      usage: '/burn cancel <job>',
      args: [{ name: 'job', type: 'string', description: 'job id', required: true, pattern: JOB, maxLength: 64 }],
      roles: ['operator'],
      sideEffects: true,
      async handler(ctx) {
        const burns = burnsOf(ctx);
        const id = ctx.args.job;
        const job = await burns.job(id);
        ctx.setJobId(id);
        const by = ctx.mention(ctx.invocation.principal);
        const outcome = await burns.queue.removeQueued(id);
        if (outcome === 'removed') {
          await ctx.reopenThread(job.data.thread)?.finish('✘ cancelled', `burn cancelled by ${by} before it started`);
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
      usage: '/burn watch <job>',
      args: [{ name: 'job', type: 'string', description: 'job id', required: true, pattern: JOB, maxLength: 64 }],
      roles: ['viewer'],
      sideEffects: false,
      async handler(ctx) {
        const burns = burnsOf(ctx);
        const job = await burns.job(String(ctx.args.job));
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
      usage: '/burn list',
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
