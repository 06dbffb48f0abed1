import { NOTE_COUNT, NOTE_TEXT, NOTE_WORDS, SEARCH_LIMIT, addNote, checkedWords, searchWords } from '../../../commands/shared/notes.js';
import type { Invocation } from '../../core/define-command.js';
import { UserError } from '../../core/errors.js';
import { parseValues } from '../../core/parse.js';
import type { PluginNote, PluginNotes } from '../../core/plugin-ports.js';
import type { Note, NotesPort } from '../../core/ports.js';

/** The longest invocation id a note stores (notes.invocation_id is VARCHAR(64)). */
const MAX_KEY = 64;

/**
 * `ctx.notes` (docs/plugins.md): /note's own path. The text is read by /note add's spec (the same
 * resolver, limits and control-character check) and stored as the caller. The first add of an
 * invocation is keyed by its id as /note add's is; a later one in the same invocation by `<id>#<n>`,
 * so each add is stored once however often its write is retried, and a second add is not the first.
 */
export function notesPort(services: NotesPort, inv: Invocation): PluginNotes {
  let adds = 0;
  return Object.freeze({
    durable: services.notesDurable,
    async add(text: string): Promise<PluginNote> {
      if (typeof text !== 'string') throw new UserError('bad_input', 'notes.add takes the note as a string');
      const body = parseValues([NOTE_TEXT], { text: text.trim() }).text as string;
      adds++;
      const key = adds === 1 ? inv.id : `${inv.id}#${adds}`;
      if (key.length > MAX_KEY) throw new UserError('bad_input', 'too many notes added in one command');
      return copy(await addNote(services, inv, body, key));
    },
    async list(limit?: number): Promise<readonly PluginNote[]> {
      return Object.freeze((await services.notes.list(count(limit, NOTE_COUNT.default))).map(copy));
    },
    async search(words: string | readonly string[], limit?: number): Promise<readonly PluginNote[]> {
      // Each text checked as /note search checks its words (length, control characters) before it is split or used.
      const text = (w: unknown) => parseValues([NOTE_WORDS], { words: String(w) }).words as string;
      const list = typeof words === 'string' ? searchWords(text(words)) : checkedWords(Array.isArray(words) ? words.filter((w) => w !== '').map(text) : []);
      return Object.freeze((await services.notes.search(list, count(limit, SEARCH_LIMIT))).map(copy));
    },
  });
}

/** A whole number 1–50 (/note list's range), or the default. */
export function count(limit: unknown, fallback: number): number {
  if (limit === undefined) return fallback;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < NOTE_COUNT.min || limit > NOTE_COUNT.max)
    throw new UserError('bad_input', `limit must be a whole number from ${NOTE_COUNT.min} to ${NOTE_COUNT.max}`);
  return limit;
}

function copy(n: Note): PluginNote {
  return Object.freeze({ id: n.id, authorKey: n.authorKey, authorName: n.authorName, platform: n.platform, room: n.room, body: n.body, createdAt: new Date(n.createdAt.getTime()) });
}
