import { defineCommand, type CommandDef } from '../../src/core/define-command.js';
import type { LiveThread } from '../../src/core/live-thread.js';
import { reply, type Visibility } from '../../src/core/reply.js';

/**
 * `/testjob`: a job with no device agent behind it, for the platforms' thread transports. It opens a thread on the
 * caller's platform as a job worker does and hands it to `started`, which reports the progress; the reply names the job.
 */
export function testJobCommand(started: (thread: LiveThread, id: string) => void, visibility?: Visibility): CommandDef<unknown> {
  let next = 1;
  return defineCommand({
    name: 'testjob',
    description: 'A test job that reports threaded progress',
    usage: '/testjob',
    examples: ['/testjob'],
    roles: ['operator'],
    sideEffects: true,
    async handler(ctx) {
      const id = `job-${next++}`;
      const thread = await ctx.openThread(`Test job ${id} for ${ctx.invocation.principal.name}`, 'queued');
      ctx.setJobId(id);
      started(thread, id);
      return reply(`started test job ${id}`, { visibility });
    },
  });
}
