import { commandUsing } from '../src/core/define-command.js';
import { UserError } from '../src/core/errors.js';
import { percent } from '../src/core/format.js';
import { bar, reply } from '../src/core/reply.js';
import { STATUS_WINDOWS, type StatusReport, type StatusWindow, type StatusPort } from '../src/core/ports.js';

/** The ports this command uses (docs/architecture.md, "Ports"). */
type Uses = StatusPort;

const LABEL: Record<StatusWindow, string> = { today: 'today', '24h': 'last 24 hours', '7d': 'last 7 days', all: 'all time' };

export default commandUsing<Uses>()({
  name: 'status',
  description: "Counts of the application's tasks by status",
  usage: '/status [today|24h|7d|all]',
  examples: ['/status', '/status 7d', '/status all'],
  args: [{ name: 'window', type: 'string', description: 'time window', choices: STATUS_WINDOWS }],
  roles: ['viewer'],
  sideEffects: false,
  async handler(ctx) {
    const service = ctx.services.status;
    if (!service) throw new UserError('not_configured', 'status is not configured (no status table or storage)');
    const window = ctx.args.window ?? (service.hasTimeColumn ? 'today' : 'all');
    if (window !== 'all' && !service.hasTimeColumn)
      throw new UserError('bad_input', `the task table has no time column, so only /status all works (not ${window})`);
    return render(await service.report(window));
  },
});

function render(r: StatusReport) {
  const pct = percent(r.done, r.total);
  const width = Math.max(...r.counts.map((c) => c.status.length), 5);
  const digits = Math.max(String(r.total).length, 1);
  const lines = r.counts.map((c) => `${c.status.padEnd(width)}  ${String(c.count).padStart(digits)}`);
  lines.push(`${'Total'.padEnd(width)}  ${String(r.total).padStart(digits)}`);
  return reply(`Tasks, ${LABEL[r.window]}: ${r.total} total, ${pct}% done`, {
    visibility: 'channel',
    pre: `${bar(r.total ? r.done / r.total : 0)} ${pct}%\n${lines.join('\n')}`,
  });
}
