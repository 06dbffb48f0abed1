import { commandUsing } from '../src/core/define-command.js';
import { reply } from '../src/core/reply.js';
import { describeBurnNow } from './burn-describe.js';
import { describeDeployJob } from './deploy-describe.js';
import type { BurnsPort } from '../src/services/burns.js';
import type { DeploysPort } from '../src/services/deploy/service.js';

/** The ports this command uses (docs/architecture.md, "Ports"). */
type Uses = BurnsPort & DeploysPort;

export default commandUsing<Uses>()({
  name: 'jobs',
  description: 'Queued and running jobs of every kind',
  examples: ['/jobs'],
  roles: ['viewer'],
  sideEffects: false,
  async handler(ctx) {
    const lines: string[] = [];
    const burns = ctx.services.burns;
    if (burns) lines.push(...(await Promise.all((await burns.queue.list()).map(async (j) => `burn ${await describeBurnNow(burns, j)}`))));
    if (ctx.services.deploys) lines.push(...(await ctx.services.deploys.queue.list()).map((j) => `deploy ${describeDeployJob(j)}`));
    if (lines.length) return reply(lines.join('\n'));
    return reply(ctx.services.burns || ctx.services.deploys ? 'no jobs queued or running' : 'no job queue is configured here');
  },
});
