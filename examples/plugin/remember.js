import { defineCommand, reply } from 'opsline';

/** `/remember <text>`: notes it in the team notebook as the caller, through `ctx.notes` (the same path as /note add). */
export default defineCommand({
  name: 'remember',
  description: 'Notes something in the team notebook',
  examples: ['/remember rotated the backup key'],
  args: [{ name: 'text', type: 'text', description: 'what to note', required: true }],
  roles: ['operator'],
  sideEffects: true,
  handler: async (ctx) => {
    const note = await ctx.notes.add(ctx.args.text);
    return reply(`noted as #${note.id}${ctx.notes.durable ? '' : ' (kept in memory only)'}`, { visibility: 'channel' });
  },
});
