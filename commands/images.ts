import { commandUsing } from '../src/core/define-command.js';
import { reply } from '../src/core/reply.js';
import { burnsOf } from './shared/burns.js';
import type { BurnsPort } from '../src/services/burns.js';

/** The ports this command uses (docs/architecture.md, "Ports"). */
type Uses = BurnsPort;

export default commandUsing<Uses>()({
  name: 'images',
  description: 'ISO images that can be burnt, per device host',
  examples: ['/images'],
  roles: ['viewer'],
  sideEffects: false,
  async handler(ctx) {
    const lines: string[] = [];
    for (const a of await burnsOf(ctx).images()) {
      if (a.error) lines.push(`${a.agent}: unavailable (${a.error})`);
      else if (a.images.length === 0) lines.push(`${a.agent}: no images`);
      else for (const i of a.images) lines.push(`${a.agent}: ${i.name}  ${(i.size / 1_000_000).toFixed(1)} MB  volume "${i.volumeId}"`);
    }
    return reply(lines.join('\n') || 'no device agents configured');
  },
});
