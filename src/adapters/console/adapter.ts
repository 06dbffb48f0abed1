import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Principal } from '../../core/thread.js';
import { replyToText } from '../../core/reply.js';
import type { Adapter, DispatchFn } from '../types.js';
import type { Screen } from './screen.js';
import type { ConsoleTransport } from './transport.js';

export interface ConsoleOptions {
  readonly input: Readable;
  /** The terminal, for the prompt and echo; only used when the screen is a TTY. */
  readonly output?: Writable;
  readonly screen: Screen;
  readonly transport: ConsoleTransport;
  readonly principal: Principal;
}

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
 * A readline REPL on the terminal or a pipe. Lines run one after another; a bad line gets a short
 * reply and never ends the loop. `done` settles at end of input.
 */
export class ConsoleAdapter implements Adapter {
  readonly name = 'console';
  #resolveDone!: () => void;
  readonly done = new Promise<void>((r) => (this.#resolveDone = r));
  #rl: ReturnType<typeof createInterface> | undefined;

  constructor(private readonly opts: ConsoleOptions) {}

  async start(dispatch: DispatchFn): Promise<void> {
    const { screen, input } = this.opts;
    const rl = createInterface({ input, output: screen.tty ? this.opts.output : undefined, terminal: screen.tty, crlfDelay: Infinity });
    this.#rl = rl;
    rl.setPrompt('opsline> ');
    let busy = false;
    // Output that arrives while the user is typing (job progress) redraws the prompt and their input.
    screen.onPrompt(() => {
      if (!busy) rl.prompt(true);
    });
    void (async () => {
      if (screen.tty) rl.prompt();
      for await (const line of rl) {
        busy = true;
        await this.#handle(line, dispatch);
        busy = false;
        if (screen.tty) rl.prompt();
      }
      this.#resolveDone();
    })();
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
    } catch (err) {
      // The dispatcher maps every handler error; reaching here is a bug, but the REPL must go on.
      screen.print(`internal error: ${(err as Error).message}`);
    }
  }
}
