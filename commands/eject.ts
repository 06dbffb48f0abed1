import { commandUsing } from '../src/core/define-command.js';
import { reply } from '../src/core/reply.js';
import { burnsOf } from './shared/burns.js';
import type { BurnsPort } from '../src/services/burns.js';

/** The ports this command uses (docs/architecture.md, "Ports"). */
type Uses = BurnsPort;

export default commandUsing<Uses>()({
  name: 'eject',
  description: "Open a drive's tray",
  usage: '/eject [drive]',
  examples: ['/eject', '/eject dvd1'],
  args: [{ name: 'drive', type: 'string', description: 'drive name (see /drives)', maxLength: 65, pattern: /^[A-Za-z0-9][A-Za-z0-9_/-]{0,64}$/ }],
  roles: ['operator'],
  sideEffects: true,
  async handler(ctx) {
    const burns = burnsOf(ctx);
    const d = await burns.resolveDrive(ctx.args.drive);
    const r = await burns.devices.eject(d.agent, d.drive);
    return reply(`${d.agent}/${d.drive}: ${r.message}`);
  },
});
