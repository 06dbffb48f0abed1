import { randomUUID } from 'node:crypto';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Principal } from '../../core/principal.js';
import { replyToText } from '../../core/reply.js';
import type { Adapter, DispatchFn } from '../types.js';
import type { Screen } from './screen.js';
import type { ConsoleTransport } from './transport.js';

export const PROMPT = 'opsline> ';

export interface ConsoleOptions {
  readonly input: Readable;
  /** The terminal, for the prompt and echo; only used when the screen is a TTY. */
  readonly output?: Writable;
  readonly screen: Screen;
  readonly transport: ConsoleTransport;
  readonly principal: Principal;
}

/** How input ended: end of input (Ctrl-D, a pipe's end) or an interrupt (Ctrl-C). */
export type InputEnd = 'eof' | 'interrupt';

/** Splits `/name rest` into the command name and its argument text. */
export function splitLine(line: string): { command: string; text: string } | { hint: string } {
  const trimmed = line.trim();
  if (trimmed === '') return { hint: 'type a command, for example /help' };
  if (!trimmed.startsWith('/')) return { hint: 'commands start with "/", for example /help' };
  const m = /^\/(\S*)\s*([\s\S]*)$/.exec(trimmed);
  const command = m?.[1] ?? '';
  if (command === '') return { hint: 'a command name must follow "/", for example /help' };
  return { command, text: m?.[2] ?? '' };
}

/**
 * A readline REPL on the terminal or a pipe. Lines run one after another (typed ahead lines wait
 * their turn); a bad line gets a short reply and never ends the loop. On a terminal the prompt
 * stays below the output while commands run. `done` settles once input has ended and every line
 * read has been answered; the prompt is never drawn again after that.
 */
export class ConsoleAdapter implements Adapter {
  readonly name = 'console';
  #resolveDone!: (end: InputEnd) => void;
  readonly done = new Promise<InputEnd>((r) => (this.#resolveDone = r));
  #rl: Interface | undefined;
  #interrupted = false;

  constructor(private readonly opts: ConsoleOptions) {}

  async start(dispatch: DispatchFn): Promise<void> {
    const { screen, input, output } = this.opts;
    const tty = screen.tty;
    const rl = createInterface({ input, output: tty ? output : undefined, terminal: tty, crlfDelay: Infinity });
    this.#rl = rl;
    rl.setPrompt(PROMPT);
    if (tty && output) {
      screen.setPrompt({
        cursorRow: () => rl.getCursorPos().rows,
        // readline redraws from `cursorRow` rows above the cursor: make room for them first.
        redraw: () => {
          const rows = rl.getCursorPos().rows;
          if (rows > 0) output.write('\n'.repeat(rows));
          rl.prompt(true);
        },
      });
    }
    const lines: string[] = [];
    let running: Promise<void> | undefined;
    let closed = false;
    const pump = () => {
      if (running) return;
      const line = lines.shift();
      if (line === undefined) {
        if (closed) this.#resolveDone(this.#interrupted ? 'interrupt' : 'eof');
        return;
      }
      running = this.#handle(line, dispatch).finally(() => {
        running = undefined;
        pump();
      });
    };
    rl.on('line', (line) => {
      screen.commitInput(PROMPT + line);
      lines.push(line);
      pump();
    });
    // Ctrl-C on the terminal (readline has it in raw mode); in a pipe the process gets SIGINT instead.
    // As in a shell, it drops a half-typed line (kept above with ^C) and quits only from an empty one.
    rl.on('SIGINT', () => {
      const typed = rl.line;
      if (typed === '') return this.interrupt();
      rl.write(null, { ctrl: true, name: 'e' });
      rl.write(null, { ctrl: true, name: 'u' });
      screen.print(`${PROMPT}${typed}^C`);
    });
    rl.on('close', () => {
      closed = true;
      if (tty) screen.closeInput(`${PROMPT}${rl.line}${this.#interrupted ? '^C' : '^D'}`);
      pump();
    });
    if (tty) rl.prompt();
  }

  /** Ctrl-C: input ends as an interrupt. */
  interrupt(): void {
    this.#interrupted = true;
    this.#rl?.close();
  }

  async stop(): Promise<void> {
    this.#rl?.close();
  }

  async #handle(line: string, dispatch: DispatchFn): Promise<void> {
    const { screen, transport, principal } = this.opts;
    const parts = splitLine(line);
    if ('hint' in parts) {
      screen.print(parts.hint);
      return;
    }
    try {
      const reply = await dispatch(
        { id: randomUUID(), platform: 'console', principal, room: 'console', command: parts.command, text: parts.text, receivedAt: new Date() },
        transport.starter(principal),
      );
      screen.print(replyToText(reply));
      // "counting…", then the counts: the next line of the screen (a terminal has no edit in place).
      if (reply.later) screen.print(replyToText(await reply.later));
    } catch (err) {
      // The dispatcher maps every handler error; reaching here is a bug, but the REPL must go on.
      screen.print(`internal error: ${(err as Error).message}`);
    }
  }
}
