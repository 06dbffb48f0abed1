import { commandUsing, type CommandContext } from '../src/core/define-command.js';
import { UserError } from '../src/core/errors.js';
import { age, clip } from '../src/core/format.js';
import { reply, type Reply } from '../src/core/reply.js';
import { tokenize } from '../src/core/tokenize.js';
import type { Note, NotesPort, ClockPort } from '../src/core/ports.js';

/** The ports this command uses (docs/architecture.md, "Ports"). */
type Uses = NotesPort & ClockPort;

const MAX_SEARCH_WORDS = 8;
const MEMORY_ONLY = ' (storage not configured: notes are kept in memory until restart)';

export default commandUsing<Uses>()({
  name: 'note',
  description: 'The team notebook',
  examples: ['/note add rotated the backup key', '/note list 5', '/note search backup'],
  roles: ['viewer'],
  sideEffects: true,
  subcommands: {
    add: {
      description: 'add a note',
      args: [{ name: 'text', type: 'text', description: 'the note', required: true, maxLength: 2000 }],
      roles: ['writer'],
      sideEffects: true,
      async handler(ctx) {
        const { id: invocationId, principal, platform, room } = ctx.invocation;
        const note = await ctx.services.notes.add({
          invocationId,
          authorKey: principal.key,
          authorName: principal.name,
          platform,
          room,
          body: ctx.args.text,
        });
        return reply(`note #${note.id} saved${ctx.services.notesDurable ? '' : MEMORY_ONLY}`, { visibility: 'channel' });
      },
    },
    list: {
      description: 'the newest notes',
      args: [{ name: 'n', type: 'integer', description: 'how many (1-50)', min: 1, max: 50, default: 10 }],
      roles: ['viewer'],
      sideEffects: false,
      async handler(ctx) {
        const notes = await ctx.services.notes.list(ctx.args.n);
        return listing(ctx, notes, 'no notes yet; add one with /note add <text>');
      },
    },
    search: {
      description: 'notes containing all of the words',
      args: [{ name: 'words', type: 'text', description: 'words to look for', required: true, maxLength: 200 }],
      roles: ['viewer'],
      sideEffects: false,
      async handler(ctx) {
        const words = tokenize(ctx.args.words).map((t) => t.value).filter(Boolean);
        if (words.length === 0) throw new UserError('usage', 'give at least one word to search for');
        // The MySQL statement has a fixed number of word slots, so its text never depends on input.
        if (words.length > MAX_SEARCH_WORDS) throw new UserError('bad_input', `search takes at most ${MAX_SEARCH_WORDS} words`);
        const notes = await ctx.services.notes.search(words, 20);
        return listing(ctx, notes, `no notes match "${clip(ctx.args.words, 60)}"`);
      },
    },
  },
});

function listing(ctx: CommandContext<unknown, Uses>, notes: readonly Note[], empty: string): Reply {
  if (notes.length === 0) return reply(empty);
  const now = ctx.services.now();
  const lines = notes.map((n) => `#${n.id} ${n.authorName} · ${age(n.createdAt, now)} — ${clip(n.body.replace(/\s+/g, ' '), 300)}`);
  return reply(lines.join('\n'), { visibility: 'channel' });
}
