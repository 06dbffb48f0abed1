import type { RowDataPacket } from 'mysql2/promise';
import type { NewNote, Note, NotesRepository } from '../../core/ports.js';
import { statement, type Db } from './db.js';
import { saveNote } from './note-write.js';

/** Words a search may combine; the statement has this many fixed slots so its text never depends on input. */
export const MAX_SEARCH_WORDS = 8;

const COLUMNS = 'id, author_key, author_name, platform, room, body, created_at';
const LIST = statement('notes.list', `SELECT ${COLUMNS} FROM notes ORDER BY id DESC LIMIT ?`);
// Unused slots are bound to '%', which matches every body; '!' escapes % and _ in the words.
const SEARCH = statement(
  'notes.search',
  `SELECT ${COLUMNS} FROM notes WHERE ${Array.from({ length: MAX_SEARCH_WORDS }, () => "body LIKE ? ESCAPE '!'").join(' AND ')}
   ORDER BY id DESC LIMIT ?`,
);

interface NoteRow extends RowDataPacket {
  id: number | string;
  author_key: string;
  author_name: string;
  platform: string;
  room: string;
  body: string;
  created_at: Date;
}

/** The team notebook in MySQL: INSERT and SELECT only, so the bot's user needs no other grant. */
export class MysqlNotesRepository implements NotesRepository {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
    /** `mysql.saveDeadlineMs`: how long an add whose answer was lost keeps trying to find out. */
    private readonly saveDeadlineMs = 10_000,
  ) {}

  async add({ invocationId, ...note }: NewNote): Promise<Note> {
    // The bot's clock, not the server's, so ages are consistent with the rest of the reply.
    const createdAt = new Date(Math.floor(this.now().getTime()));
    const values = [note.authorKey, note.authorName, note.platform, note.room, note.body, createdAt];
    const saved = await saveNote(this.db, values, invocationId, createdAt, { withinMs: this.saveDeadlineMs });
    return { ...note, ...saved };
  }

  async list(limit: number): Promise<Note[]> {
    return (await this.db.rows<NoteRow>(LIST, [String(limit)])).map(toNote);
  }

  async search(words: readonly string[], limit: number): Promise<Note[]> {
    if (words.length === 0 || words.length > MAX_SEARCH_WORDS) throw new RangeError(`search takes 1 to ${MAX_SEARCH_WORDS} words`);
    const patterns = Array.from({ length: MAX_SEARCH_WORDS }, (_, i) => (i < words.length ? `%${escapeLike(words[i]!)}%` : '%'));
    return (await this.db.rows<NoteRow>(SEARCH, [...patterns, String(limit)])).map(toNote);
  }
}

export function escapeLike(word: string): string {
  return word.replace(/[!%_]/g, (c) => `!${c}`);
}

function toNote(r: NoteRow): Note {
  return {
    id: Number(r.id),
    authorKey: r.author_key,
    authorName: r.author_name,
    platform: r.platform,
    room: r.room,
    body: r.body,
    createdAt: r.created_at,
  };
}
