import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

/** What ends a line cut at the cap (docs/agent.md, "How the agent runs a program"). */
export const CUT_MARK = '…';

/** The first `max` characters of `line` and the mark, never splitting a UTF-16 surrogate pair. */
export function cutLine(line: string, max: number): string {
  const code = line.charCodeAt(max - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
  return `${line.slice(0, end)}${CUT_MARK}`;
}

/**
 * Splits a child's output into lines, as readline did (`\n`, `\r\n` or a lone `\r` ends one), but holds at most
 * `max` + 1 characters of a line: once a line is longer, its first `max` go out at once with the mark and the rest
 * is dropped up to the next line break. So a program printing hundreds of MB without a newline costs the agent one
 * chunk and one capped line, not the whole line (readline keeps all of it until the newline).
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private readonly breaks = /\r\n?|\n/g;
  private line = '';
  private dropping = false;
  /** The text so far ended with `\r`: a `\n` opening the next chunk belongs to that break. */
  private afterCr = false;

  constructor(
    private readonly max: number,
    private readonly onLine: (line: string) => void,
  ) {}

  write(chunk: Buffer | string): void {
    this.scan(typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
  }

  /** The end of the stream: a last line without a line break still counts. */
  end(): void {
    this.scan(this.decoder.end());
    if (!this.dropping && this.line !== '') this.onLine(this.line);
    this.line = '';
    this.dropping = false;
  }

  private scan(text: string): void {
    if (text === '') return;
    let from = this.afterCr && text.startsWith('\n') ? 1 : 0;
    this.afterCr = text.endsWith('\r');
    this.breaks.lastIndex = from;
    for (let m = this.breaks.exec(text); m; m = this.breaks.exec(text)) {
      this.add(text, from, m.index);
      this.endLine();
      from = m.index + m[0].length;
    }
    this.add(text, from, text.length);
  }

  private add(text: string, from: number, to: number): void {
    if (this.dropping || from >= to) return;
    this.line += text.slice(from, Math.min(to, from + this.max + 1 - this.line.length));
    if (this.line.length <= this.max) return;
    this.onLine(cutLine(this.line, this.max));
    this.line = '';
    this.dropping = true;
  }

  private endLine(): void {
    if (this.dropping) this.dropping = false;
    else this.onLine(this.line);
    this.line = '';
  }
}

/** Reads `stream` line by line (see LineSplitter); resolves once it has ended or been destroyed, its last line told. */
export function readLines(stream: Readable, max: number, onLine: (line: string) => void): Promise<void> {
  const splitter = new LineSplitter(max, onLine);
  stream.on('data', (chunk: Buffer | string) => splitter.write(chunk));
  return new Promise((resolve) => {
    // Ended, destroyed (a job whose output a left process held open) or failed: the last line without a newline
    // still counts, once.
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      splitter.end();
      resolve();
    };
    stream.once('end', finish);
    stream.once('close', finish);
    stream.once('error', finish);
  });
}
