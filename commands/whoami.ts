import { defineCommand } from '../src/core/define-command.js';
import { reply } from '../src/core/reply.js';

export default defineCommand({
  name: 'whoami',
  description: 'Who the bot thinks you are: your key and roles',
  usage: '/whoami',
  examples: ['/whoami'],
  roles: ['viewer'],
  sideEffects: false,
  handler(ctx) {
    const { principal } = ctx.invocation;
    const roles = ctx.access.rolesOf(principal.key);
    return reply(`You are ${principal.name}`, {
      fields: [
        { label: 'key', value: principal.key },
        { label: 'roles', value: roles.length ? roles.join(', ') : '(none)' },
      ],
    });
  },
});
