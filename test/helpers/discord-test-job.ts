import { defineCommand, type CommandDef } from '../../src/core/define-command.js';
import type { LiveThread } from '../../src/core/live-thread.js';
import { reply } from '../../src/core/reply.js';
import { testJobCommand } from './test-job.js';

export interface DiscordTestJob {
  readonly commands: readonly CommandDef<unknown>[];
  /** The threads of started jobs, in order; tests drive their progress by hand. */
  readonly threads: LiveThread[];
  /** Resolves with the next started job's thread. */
  nextThread(): Promise<LiveThread>;
}

/**
 * `/testjob` (test/helpers/test-job.ts) answering in the channel, whose threads the Discord tests drive by hand, and
 * `/slow`, which answers after `slowMs` to exercise the deferral. (Autocomplete tests use the real `/deploy run <target>`.)
 */
export function discordTestCommands(opts: { slowMs?: number } = {}): DiscordTestJob {
  const threads: LiveThread[] = [];
  const waiters: ((t: LiveThread) => void)[] = [];
  const testjob = testJobCommand((thread) => {
    threads.push(thread);
    waiters.shift()?.(thread);
  }, 'channel');
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
