import type { Writable } from 'node:stream';

/**
 * Console output. On a TTY, live lines (progress bars) stay at the bottom and are redrawn in place;
 * elsewhere they are not printed, and only permanent lines (replies, milestones) appear.
 */
export class Screen {
  readonly #live = new Map<string, string>();
  #drawn = 0;
  #prompt: (() => void) | undefined;

  constructor(
    private readonly out: Writable,
    readonly tty: boolean,
  ) {}

  /** On a TTY, redraws the input prompt below whatever was just written. */
  onPrompt(redraw: () => void): void {
    this.#prompt = redraw;
  }

  print(text: string): void {
    this.#clear();
    this.out.write(`${text}\n`);
    this.#draw();
  }

  setLive(id: string, text: string): void {
    if (!this.tty) return;
    this.#live.set(id, text);
    this.#clear();
    this.#draw();
  }

  /** Turns a live line into a permanent one (on a TTY) and stops redrawing it. */
  endLive(id: string): void {
    const text = this.#live.get(id);
    if (text === undefined) return;
    this.#clear();
    this.#live.delete(id);
    this.out.write(`${text}\n`);
    this.#draw();
  }

  #clear(): void {
    if (!this.tty) return;
    // The cursor sits on the prompt line, below the live lines.
    this.out.write('\r\x1b[2K' + '\x1b[1A\x1b[2K'.repeat(this.#drawn));
    this.#drawn = 0;
  }

  #draw(): void {
    for (const text of this.#live.values()) this.out.write(`${text}\n`);
    this.#drawn = this.#live.size;
    if (this.tty) this.#prompt?.();
  }
}
