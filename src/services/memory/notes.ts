import type { NewNote, Note, NotesRepository } from '../../core/ports.js';

/** In-memory notebook with the same contract as the MySQL repository. */
export class MemoryNotesRepository implements NotesRepository {
  readonly #notes: Note[] = [];
  #nextId = 1;

  constructor(private readonly now: () => Date = () => new Date()) {}

  readonly #byInvocation = new Map<string, Note>();

  async add({ invocationId, ...note }: NewNote): Promise<Note> {
    const earlier = invocationId === undefined ? undefined : this.#byInvocation.get(invocationId);
    if (earlier) return earlier;
    const stored: Note = { ...note, id: this.#nextId++, createdAt: this.now() };
    this.#notes.push(stored);
    if (invocationId !== undefined) this.#byInvocation.set(invocationId, stored);
    return stored;
  }

  async list(limit: number): Promise<Note[]> {
    return this.#notes.slice(-limit).reverse();
  }

  async search(words: readonly string[], limit: number): Promise<Note[]> {
    const lower = words.map((w) => w.toLowerCase());
    return this.#notes
      .filter((n) => lower.every((w) => n.body.toLowerCase().includes(w)))
      .slice(-limit)
      .reverse();
  }
}
