import { commandUsing } from '../src/core/define-command.js';
import { reply } from '../src/core/reply.js';
import { burnsOf } from './shared/burns.js';
import type { BurnsPort } from '../src/services/burns.js';

/** The ports this command uses (docs/architecture.md, "Ports"). */
type Uses = BurnsPort;

export default commandUsing<Uses>()({
  name: 'drives',
  description: 'Drives per device host, and what is using them',
  examples: ['/drives'],
  roles: ['viewer'],
  sideEffects: false,
  async handler(ctx) {
    const lines: string[] = [];
    for (const a of await burnsOf(ctx).drives()) {
      if (a.error) {
        lines.push(`${a.agent} (${a.state}): unavailable (${a.error})`);
        continue;
      }
      lines.push(`${a.agent} (${a.state}):`);
      for (const d of a.drives) lines.push(`  ${d.name}  ${d.kind}${d.speed ? ` ${d.speed}` : ''}  ${d.busyWith ? `busy with ${d.busyWith}` : 'idle'}`);
    }
    return reply(lines.join('\n') || 'no device agents configured');
  },
});
