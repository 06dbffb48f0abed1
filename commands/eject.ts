import { commandUsing } from '../src/core/define-command.js';
import { reply } from '../src/core/reply.js';
import { burnsOf } from './shared/burns.js';
import type { BurnsPort } from '../src/services/burns.js';

/** The ports this command uses (docs/architecture.md, "Ports"). */
type Uses = BurnsPort;

export default commandUsing<Uses>()({
  name: 'eject',
  description: "Open a drive's tray",
  examples: ['/eject', '/eject dvd1'],
  // The same drive word as /burn: `dvd1` or `agent/dvd1` (src/words/names.ts).
  args: [{ name: 'drive', type: 'drive', description: 'drive name (see /drives)' }],
  roles: ['operator'],
  sideEffects: true,
  async handler(ctx) {
    const burns = burnsOf(ctx);
    const d = await burns.resolveDrive(ctx.args.drive);
    const r = await burns.devices.eject(d.agent, d.drive);
    return reply(`${d.agent}/${d.drive}: ${r.message}`);
  },
});
