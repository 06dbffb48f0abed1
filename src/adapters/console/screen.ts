import ansiEscapes from 'ansi-escapes';
import type { Writable } from 'node:stream';
import stringWidth from 'string-width';
import { printable } from '../../core/printable.js';
import { screenRows, toRows } from './rows.js';

/** The input line as the screen needs it (readline's, on a terminal). */
export interface PromptArea {
  /** The row of the cursor within the prompt and its input (0 unless the input wrapped). */
  cursorRow(): number;
  /** Draws the prompt and the input below whatever was just written, keeping the cursor where it was. */
  redraw(): void;
}

export interface ScreenOptions {
  /** The terminal's width now (it changes on resize). */
  readonly columns?: () => number;
  /** Where log lines go (stderr); on a terminal they are written above the live lines too. */
  readonly err?: Writable;
}

/**
 * Console output, three bands on a terminal: permanent lines (replies, milestones, logs) scroll
 * above; live lines (one per running job's status) sit below them and are redrawn in place; the
 * prompt with what the user is typing stays last and is never erased. Redraws count screen rows
 * (wrapping, wide characters, resizes), not entries. Elsewhere (a pipe) output is line by line:
 * no live redraws, but a live line's last text is printed when it ends. Every text but a log line
 * (formatted by log-pretty, which keeps them out) is made `printable` here: this is where text from
 * anywhere reaches the terminal, so no control character reaches it as it is.
 */
export class Screen {
  readonly #live = new Map<string, string>();
  /** The rows of the live band as last drawn. */
  #drawn: string[] = [];
  #prompt: PromptArea | undefined;
  readonly #columns: () => number;

  constructor(
    private readonly out: Writable,
    readonly tty: boolean,
    private readonly opts: ScreenOptions = {},
  ) {
    this.#columns = opts.columns ?? (() => 80);
  }

  /** While input is open: the prompt to keep at the bottom. `undefined` once input has closed. */
  setPrompt(prompt: PromptArea | undefined): void {
    this.#prompt = prompt;
  }

  print(text: string): void {
    this.#above(() => this.out.write(`${printable(text)}\n`));
  }

  /** A log line: to stderr, above the live lines and the prompt when they share the terminal. */
  printLog(text: string): void {
    const err = this.opts.err ?? this.out;
    this.#above(() => err.write(text.endsWith('\n') ? text : `${text}\n`));
  }

  /**
   * The line the user just entered, already echoed by readline above the cursor (`rows` rows):
   * it moves above the live lines, where it stays.
   */
  commitInput(echo: string): void {
    if (!this.tty) return;
    // readline leaves the cursor on the row after the input's last one, even when it exactly fills a row.
    const rows = Math.floor(stringWidth(echo) / this.#columns()) + 1;
    this.#redraw(rows, () => this.out.write(`${printable(echo)}\n`));
  }

  /** Input has closed: what was on the prompt line stays as a permanent line, and no prompt is drawn again. */
  closeInput(echo: string): void {
    const rows = this.#prompt?.cursorRow() ?? 0;
    this.#prompt = undefined;
    if (this.tty) this.#redraw(rows, () => this.out.write(`${printable(echo)}\n`));
  }

  setLive(id: string, text: string): void {
    this.#live.set(id, printable(text));
    if (this.tty) this.#above(() => undefined);
  }

  /** Turns a live line into a permanent one (in a pipe: prints its last text) and stops redrawing it. */
  endLive(id: string): void {
    const text = this.#live.get(id);
    if (text === undefined) return;
    this.#live.delete(id);
    this.#above(() => this.out.write(`${text}\n`));
  }

  /** After a resize: the same bands, measured at the new width. */
  resize(): void {
    if (this.tty) this.#above(() => undefined);
  }

  #above(write: () => void): void {
    if (!this.tty) {
      write();
      return;
    }
    this.#redraw(this.#prompt?.cursorRow() ?? 0, write);
  }

  /** Goes up over the prompt (`promptRows` rows above the cursor) and the live band, writes, redraws both. */
  #redraw(promptRows: number, write: () => void): void {
    const columns = this.#columns();
    const up = promptRows + screenRows(this.#drawn, columns);
    this.out.write(`${up > 0 ? ansiEscapes.cursorUp(up) : ''}\r${ansiEscapes.eraseDown}`);
    write();
    this.#drawn = [...this.#live.values()].flatMap((t) => toRows(t, columns));
    if (this.#drawn.length) this.out.write(`${this.#drawn.join('\n')}\n`);
    this.#prompt?.redraw();
  }
}
