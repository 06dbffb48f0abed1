import { defineCommand } from 'opsline';

/** `/hello [name]`: anyone with the viewer role. */
export default defineCommand({
  name: 'hello',
  description: 'Says hello',
  examples: ['/hello', '/hello team'],
  args: [{ name: 'name', type: 'string', description: 'whom to greet', maxLength: 30 }],
  roles: ['viewer'],
  handler: (ctx) => `Hello, ${ctx.args.name ?? ctx.caller.name}!`,
});
