import { commandUsing } from '../src/core/define-command.js';
import { age } from '../src/core/format.js';
import { reply } from '../src/core/reply.js';
import type { AuditPort, ClockPort } from '../src/core/ports.js';

/** The ports this command uses (docs/architecture.md, "Ports"). */
type Uses = AuditPort & ClockPort;

export default commandUsing<Uses>()({
  name: 'audit',
  description: 'The audit trail: the newest invocations',
  examples: ['/audit', '/audit 50'],
  args: [{ name: 'n', type: 'integer', description: 'how many (1-100)', min: 1, max: 100, default: 20 }],
  roles: ['admin'],
  sideEffects: false,
  async handler(ctx) {
    const rows = await ctx.services.audit.recent(ctx.args.n);
    if (rows.length === 0) return reply('the audit trail is empty');
    const now = ctx.services.now();
    const lines = rows.map(
      (r) =>
        `${age(r.at, now)} ${r.principalKey} /${r.command} ${r.decision}/${r.outcome}${r.errorCode ? ` (${r.errorCode})` : ''}` +
        `${r.jobId ? ` job ${r.jobId}` : ''} ${r.durationMs}ms`,
    );
    return reply(lines.join('\n'));
  },
});
