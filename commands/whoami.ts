import { defineCommand } from '../src/core/define-command.js';
import { reply } from '../src/core/reply.js';

export default defineCommand({
  name: 'whoami',
  description: 'Who the bot thinks you are: your key, and each role with where it comes from',
  examples: ['/whoami'],
  roles: ['viewer'],
  sideEffects: false,
  handler(ctx) {
    const { principal } = ctx.invocation;
    // One line per role and source: a role held twice (config and a grant) shows both.
    const held = ctx.access.held(principal).map((h) => `${h.role} (${h.source})`);
    return reply(`You are ${principal.name}`, {
      fields: [
        { label: 'key', value: principal.key },
        { label: 'roles', value: held.length ? held.join(', ') : '(none)' },
      ],
    });
  },
});
