import { defineCommand, type CommandDef } from '../../src/core/define-command.js';
import { UserError } from '../../src/core/errors.js';
import { LiveThread } from '../../src/core/live-thread.js';
import { reply } from '../../src/core/reply.js';
import type { App } from '../../src/main.js';

export interface DiscordTestJob {
  readonly commands: readonly CommandDef[];
  /** The threads of started jobs, in order; tests drive their progress by hand. */
  readonly threads: LiveThread[];
  /** Resolves with the next started job's thread. */
  nextThread(): Promise<LiveThread>;
}

/**
 * `/testjob` (a minimal job that tests the Discord thread transport without a device agent): opens a LiveThread through the
 * platform's ThreadStarter and returns; the test then reports progress as a worker would.
 * `/slow` answers after `slowMs`, to exercise the deferral. (Autocomplete tests use the real
 * `/deploy run <target>`.)
 */
export function discordTestCommands(app: () => App, opts: { slowMs?: number } = {}): DiscordTestJob {
  const threads: LiveThread[] = [];
  const waiters: ((t: LiveThread) => void)[] = [];
  let next = 1;
  const testjob = defineCommand({
    name: 'testjob',
    description: 'A test job that reports threaded progress',
    usage: '/testjob',
    examples: ['/testjob'],
    roles: ['operator'],
    sideEffects: true,
    async handler(ctx) {
      const transport = app().transports.get(ctx.invocation.platform);
      if (!transport) throw new UserError('not_configured', 'no thread transport for this platform');
      const id = `job-${next++}`;
      const thread = await LiveThread.open(ctx.threads, transport, `Test job ${id} for ${ctx.invocation.principal.name}`, 'queued', ctx.log);
      ctx.setJobId(id);
      threads.push(thread);
      waiters.shift()?.(thread);
      return reply(`started test job ${id}`, { visibility: 'channel' });
    },
  });
  const slow = defineCommand({
    name: 'slow',
    description: 'Answers slowly',
    usage: '/slow [private]',
    examples: ['/slow'],
    args: [{ name: 'private', type: 'boolean', description: 'answer ephemerally' }],
    roles: ['viewer'],
    sideEffects: false,
    async handler(ctx) {
      await new Promise((r) => setTimeout(r, opts.slowMs ?? 300));
      return reply('finally done', { visibility: ctx.args.private ? 'ephemeral' : 'channel' });
    },
  });
  return {
    commands: [testjob, slow],
    threads,
    nextThread: () => new Promise((r) => waiters.push(r)),
  };
}
