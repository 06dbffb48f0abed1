import { defineCommand } from '../src/core/define-command.js';
import { reply } from '../src/core/reply.js';
import { burnsOf } from './burn.js';

export default defineCommand({
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
