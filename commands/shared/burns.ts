import type { CommandContext } from '../../src/core/define-command.js';
import { UserError } from '../../src/core/errors.js';
import type { BurnService, BurnsPort } from '../../src/services/burns.js';

/** The burn service, or the reply that says why there is none here: /burn, /images, /drives, /eject. */
export function burnsOf(ctx: Pick<CommandContext<unknown, BurnsPort>, 'services'>): BurnService {
  const burns = ctx.services.burns;
  if (!burns) throw new UserError(ctx.services.devicesOff ? 'unavailable' : 'not_configured', ctx.services.devicesOff ?? 'burning is not configured here (no device agents and no job queue)');
  return burns;
}
