import { UserError } from '../../src/core/errors.js';
import { tokenize } from '../../src/core/tokenize.js';
import type { Invocation } from '../../src/core/define-command.js';
import type { Note, NotesPort } from '../../src/core/ports.js';

/** One path for adding and searching notes: /note and a plugin's `ctx.notes` (docs/plugins.md) share it. */

/** The note's text as /note add reads it. */
export const NOTE_TEXT = { name: 'text', type: 'text', description: 'the note', required: true, maxLength: 2000 } as const;
/** How many /note list shows. */
export const NOTE_COUNT = { name: 'n', type: 'integer', description: 'how many (1-50)', min: 1, max: 50, default: 10 } as const;
/** How many /note search shows. */
/** /note search's words, as ctx.notes.search takes them too. */
export const NOTE_WORDS = { name: 'words', type: 'text', description: 'words to look for', required: true, maxLength: 200 } as const;
export const SEARCH_LIMIT = 20;
const MAX_SEARCH_WORDS = 8;

/**
 * Stores `text` as the invocation's caller, once per `invocationId` however often the write is
 * retried; the first note of an invocation is keyed by its id, so a retried /note add stores one.
 */
export function addNote(services: NotesPort, inv: Invocation, text: string, invocationId = inv.id): Promise<Note> {
  const { principal, platform, room } = inv;
  return services.notes.add({ invocationId, authorKey: principal.key, authorName: principal.name, platform, room, body: text });
}

/** The words of a search, as /note search splits them; 1 to 8 of them (the MySQL statement has 8 fixed slots). */
export function searchWords(text: string): string[] {
  return checkedWords(tokenize(text).map((t) => t.value).filter(Boolean));
}

export function checkedWords(words: readonly string[]): string[] {
  if (words.length === 0) throw new UserError('usage', 'give at least one word to search for');
  // The MySQL statement has a fixed number of word slots, so its text never depends on input.
  if (words.length > MAX_SEARCH_WORDS) throw new UserError('bad_input', `search takes at most ${MAX_SEARCH_WORDS} words`);
  return [...words];
}
