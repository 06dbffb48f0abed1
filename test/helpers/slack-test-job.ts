import type { CommandDef } from '../../src/core/define-command.js';
import type { LiveThread } from '../../src/core/live-thread.js';
import { bar } from '../../src/core/reply.js';
import { testJobCommand } from './test-job.js';

export interface TestJob {
  readonly command: CommandDef<unknown>;
  /** One promise per started job, settled when its thread is finished. */
  readonly runs: Promise<void>[];
}

/**
 * `/testjob` for the Slack thread tests: each job reports `steps` status updates `stepMs` apart, a milestone halfway,
 * and finishes with a mention of the requester, as a real job worker would.
 */
export function testJob(opts: { steps: number; stepMs: number }): TestJob {
  const runs: Promise<void>[] = [];
  const command = testJobCommand((thread, id) => runs.push(report(thread, id, opts)));
  return { command, runs };
}

async function report(thread: LiveThread, id: string, { steps, stepMs }: { steps: number; stepMs: number }): Promise<void> {
  for (let i = 1; i <= steps; i++) {
    thread.status(`step ${i}/${steps} ${bar(i / steps, 10)}`);
    if (i === Math.ceil(steps / 2)) await thread.milestone('halfway there');
    await new Promise((r) => setTimeout(r, stepMs));
  }
  await thread.finish(`done: ${steps}/${steps}`, `test job ${id} finished`);
}
