import { randomInt } from 'node:crypto';
import { defineCommand, reply } from 'opsline';

/** `/dice <sides>`: operators only; the answer is shown to the whole channel. */
export default defineCommand({
  name: 'dice',
  description: 'Rolls a die',
  examples: ['/dice 6', '/dice 20'],
  args: [{ name: 'sides', type: 'integer', description: 'how many sides', min: 2, max: 100, required: true }],
  roles: ['operator'],
  handler: (ctx) => {
    const rolled = randomInt(1, ctx.args.sides + 1);
    ctx.log.info({ sides: ctx.args.sides, rolled }, 'rolled');
    return reply(`${ctx.caller.name} rolled ${rolled} (d${ctx.args.sides})`, { visibility: 'channel' });
  },
});
