import { commandUsing } from '../src/core/define-command.js';
import { UserError } from '../src/core/errors.js';
import { percent } from '../src/core/format.js';
import { bar, reply, type Reply } from '../src/core/reply.js';
import { STATUS_WINDOWS, type StatusReport, type StatusWindow, type StatusPort } from '../src/core/ports.js';

/** The ports this command uses (docs/architecture.md, "Ports"). */
type Uses = StatusPort;

const LABEL: Record<StatusWindow, string> = { today: 'today', '24h': 'last 24 hours', '7d': 'last 7 days', all: 'all time' };

/**
 * How long an answer waits for counts that are not there yet (a cold start) before it says
 * "counting…" and lets the counts follow in the same place; well inside the platforms' 3 s.
 */
const COLD_WAIT_MS = 1000;

export default commandUsing<Uses>()({
  name: 'status',
  description: "Counts of the application's tasks by status",
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
    const r = service.answer ? await service.answer(window, COLD_WAIT_MS) : await service.report(window);
    if (!('counting' in r)) return render(r);
    return { ...reply(`Tasks, ${LABEL[window]}: counting… (the first count since start; the numbers follow here)`, { visibility: 'channel' }), later: r.counting.then(render) };
  },
});

function render(r: StatusReport): Reply {
  const pct = percent(r.done, r.total);
  const width = Math.max(...r.counts.map((c) => c.status.length), 5);
  const digits = Math.max(String(r.total).length, 1);
  const lines = r.counts.map((c) => `${c.status.padEnd(width)}  ${String(c.count).padStart(digits)}`);
  lines.push(`${'Total'.padEnd(width)}  ${String(r.total).padStart(digits)}`);
  const asOf = r.ageMs === undefined ? '' : `, as of ${ago(r.ageMs)}`;
  const stale = r.staleBecause ? ` (the latest refresh failed: ${r.staleBecause})` : '';
  return reply(`Tasks, ${LABEL[r.window]}: ${r.total} total, ${pct}% done${asOf}${stale}`, {
    visibility: 'channel',
    pre: `${bar(r.total ? r.done / r.total : 0)} ${pct}%\n${lines.join('\n')}`,
  });
}

/** `4 s ago`, `3 min ago`, `2 h ago`: whole units, as a person says it. */
function ago(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 1) return 'just now';
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}
