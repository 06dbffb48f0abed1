import { commandUsing } from '../src/core/define-command.js';
import { UserError } from '../src/core/errors.js';
import { age } from '../src/core/format.js';
import { reply } from '../src/core/reply.js';
import type { ScheduleRow, SchedulesPort } from '../src/schedules/setup.js';
import type { ClockPort } from '../src/core/ports.js';

/** The ports this command uses (docs/architecture.md, "Ports"). */
type Uses = SchedulesPort & ClockPort;

export default commandUsing<Uses>()({
  name: 'schedule',
  description: 'Scheduled digests and alerts: next and last run; run one now',
  examples: ['/schedule list', '/schedule run morning-status'],
  roles: ['viewer'],
  sideEffects: true,
  subcommands: {
    list: {
      description: 'every schedule and alert with its next run, last run and last outcome',
      roles: ['viewer'],
      sideEffects: false,
      async handler(ctx) {
        const service = ctx.services.schedules;
        const rows = service ? await service.list() : [];
        if (rows.length === 0) return reply('no schedules or alerts are configured (see docs/schedules.md)');
        const now = ctx.services.now();
        return reply(`${rows.length} scheduled (times in UTC)`, { pre: rows.map((r) => line(r, now)).join('\n') });
      },
    },
    run: {
      description: 'run one schedule or alert check now',
      args: [{ name: 'name', type: 'schedule', description: 'a name from /schedule list', required: true }],
      roles: ['admin'],
      sideEffects: true,
      async handler(ctx) {
        const service = ctx.services.schedules;
        if (!service) throw new UserError('not_configured', 'no schedules or alerts are configured');
        const name = ctx.args.name;
        return reply(`${name}: ${await service.runNow(name)}`);
      },
    },
  },
});

function line(r: ScheduleRow, now: Date): string {
  const next = r.next ? `next ${utc(r.next)}` : 'next —';
  const last = r.last ? `last ${utc(new Date(r.last.at))} (${age(new Date(r.last.at), now)})${r.last.late ? ' late' : ''}: ${r.last.outcome}` : 'not run yet';
  return `${r.kind} ${r.name} · ${r.when} → ${r.post}\n  ${next} · ${last}`;
}

function utc(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}
