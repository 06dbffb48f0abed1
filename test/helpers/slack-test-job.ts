import { defineCommand, type CommandDef } from '../../src/core/define-command.js';
import { UserError } from '../../src/core/errors.js';
import { LiveThread } from '../../src/core/live-thread.js';
import { bar, reply } from '../../src/core/reply.js';
import type { App } from '../../src/main.js';

export interface TestJob {
  readonly command: CommandDef;
  /** One promise per started job, settled when its thread is finished. */
  readonly runs: Promise<void>[];
}

/**
 * `/testjob`: a minimal job that tests the Slack thread transport without a device agent. It opens a LiveThread through the
 * platform's ThreadStarter, reports `steps` status updates `stepMs` apart, a milestone halfway,
 * and finishes with a mention of the requester, as a real job worker would.
 */
export function testJob(app: () => App, opts: { steps: number; stepMs: number; slowMs?: number }): TestJob {
  const runs: Promise<void>[] = [];
  let next = 1;
  const command = defineCommand({
    name: 'testjob',
    description: 'A test job that reports threaded progress',
    usage: '/testjob',
    examples: ['/testjob'],
    roles: ['operator'],
    sideEffects: true,
    async handler(ctx) {
      const transport = app().transports.get(ctx.invocation.platform);
      if (!transport) throw new UserError('not_configured', 'no thread transport for this platform');
      if (opts.slowMs) await new Promise((r) => setTimeout(r, opts.slowMs));
      const id = `job-${next++}`;
      const thread = await LiveThread.open(ctx.threads, transport, `Test job ${id} for ${ctx.invocation.principal.name}`, 'queued', ctx.log);
      ctx.setJobId(id);
      runs.push(
        (async () => {
          for (let i = 1; i <= opts.steps; i++) {
            thread.status(`step ${i}/${opts.steps} ${bar(i / opts.steps, 10)}`);
            if (i === Math.ceil(opts.steps / 2)) await thread.milestone('halfway there');
            await new Promise((r) => setTimeout(r, opts.stepMs));
          }
          await thread.finish(`done: ${opts.steps}/${opts.steps}`, `test job ${id} finished`);
        })(),
      );
      return reply(`started test job ${id}`);
    },
  });
  return { command, runs };
}
