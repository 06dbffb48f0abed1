import { defineCommand } from '../src/core/define-command.js';

/**
 * Confirms a held request by its code. Buttons on Slack and Discord send the same thing on behalf
 * of whoever pressed them, so every path to a confirmation is this one command (and is audited).
 */
export default defineCommand({
  name: 'confirm',
  description: 'Confirm a request that asked for confirmation (within 60 s)',
  examples: ['/confirm K7P2QX'],
  args: [{ name: 'code', type: 'code', description: 'the code the request showed', required: true }],
  // Anyone listed may confirm their own request; the held command's roles are checked again on confirm.
  roles: ['viewer'],
  sideEffects: true,
  handler: (ctx) => ctx.confirm(ctx.args.code),
});
