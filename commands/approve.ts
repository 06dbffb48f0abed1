import { defineCommand } from '../src/core/define-command.js';

/**
 * Approves someone else's request held for two-person approval, by its code. The Approve buttons on
 * Slack and Discord send the same thing for whoever pressed them, so every approval is this command
 * (and is audited with both principals). The approver's roles are checked against the request's.
 */
export default defineCommand({
  name: 'approve',
  description: "Approve someone else's request that waits for a second person",
  examples: ['/approve K7P2QX'],
  args: [{ name: 'code', type: 'code', description: 'the code the request showed', required: true }],
  roles: ['viewer'],
  sideEffects: true,
  handler: (ctx) => ctx.approve(ctx.args.code),
});
