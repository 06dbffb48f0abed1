import { commandUsing, type CommandContext } from '../src/core/define-command.js';
import { age, clip } from '../src/core/format.js';
import { reply, type Reply } from '../src/core/reply.js';
import type { Note, NotesPort, ClockPort } from '../src/core/ports.js';
import { NOTE_COUNT, NOTE_TEXT, NOTE_WORDS, SEARCH_LIMIT, addNote, searchWords } from './shared/notes.js';

/** The ports this command uses (docs/architecture.md, "Ports"). */
type Uses = NotesPort & ClockPort;

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
      args: [NOTE_TEXT],
      roles: ['writer'],
      sideEffects: true,
      async handler(ctx) {
        const note = await addNote(ctx.services, ctx.invocation, ctx.args.text);
        return reply(`note #${note.id} saved${ctx.services.notesDurable ? '' : MEMORY_ONLY}`, { visibility: 'channel' });
      },
    },
    list: {
      description: 'the newest notes',
      args: [NOTE_COUNT],
      roles: ['viewer'],
      sideEffects: false,
      async handler(ctx) {
        const notes = await ctx.services.notes.list(ctx.args.n);
        return listing(ctx, notes, 'no notes yet; add one with /note add <text>');
      },
    },
    search: {
      description: 'notes containing all of the words',
      args: [NOTE_WORDS],
      roles: ['viewer'],
      sideEffects: false,
      async handler(ctx) {
        const notes = await ctx.services.notes.search(searchWords(ctx.args.words), SEARCH_LIMIT);
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
