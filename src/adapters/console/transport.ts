import { finalLine, plainText, type Message } from '../../core/message.js';
import type { ThreadRef, ThreadStarter, ThreadTransport } from '../../core/thread.js';
import type { Principal } from '../../core/principal.js';
import { PipeProgress } from './pipe-progress.js';
import type { Screen } from './screen.js';

export interface ConsoleTransportOptions {
  /** This console's own channel: thread refs name it, so the relay brings updates back here. */
  readonly channel?: string;
  readonly editIntervalMs?: number;
  /** Called for each thread this console starts (the console follows it through the relay). */
  readonly onThread?: (ref: ThreadRef) => void;
}

/**
 * Threads on the console: the root is a line marked `#n`, replies are indented under it with the
 * same mark (two jobs' lines interleave in a pipe, and the mark says which is which), and the
 * status is a live line on a terminal. A thread runs until its final line.
 */
export class ConsoleTransport implements ThreadTransport {
  readonly platform = 'console';
  readonly editIntervalMs: number;
  readonly channel: string;
  #next = 1;
  #threads = 0;
  /** Job threads that have not had their final line, by root id: what "running" means at exit. */
  readonly #open = new Map<string, string>();
  #allEnded: (() => void) | undefined;
  /** In a pipe: progress lines at each 10%. */
  readonly #steps = new PipeProgress();

  constructor(
    private readonly screen: Screen,
    private readonly opts: ConsoleTransportOptions = {},
  ) {
    this.editIntervalMs = opts.editIntervalMs ?? 200;
    this.channel = opts.channel ?? 'console';
  }

  starter(requester: Principal): ThreadStarter {
    return {
      channel: this.channel,
      startThread: async (message, opts) => {
        const rootText = plainText(message);
        const rootId = `#${++this.#threads}`;
        this.screen.print(`${rootId} ${rootText}`);
        // Only a job is waited for at exit: a grant's announcement gets its expiry line an hour later, say.
        if (opts?.job) this.#open.set(rootId, rootText);
        const ref = { platform: this.platform, channel: this.channel, rootId, requester };
        this.opts.onThread?.(ref);
        return ref;
      },
    };
  }

  async postReply(ref: ThreadRef, text: Message): Promise<string> {
    if (this.#mine(ref)) this.screen.print(indent(ref, plainText(text)));
    return String(this.#next++);
  }

  async edit(ref: ThreadRef, messageId: string, message: Message): Promise<void> {
    if (!this.#mine(ref)) return;
    const text = plainText(message);
    this.screen.setLive(messageId, indent(ref, text));
    if (!this.screen.tty && this.#steps.due(messageId, text)) this.screen.print(indent(ref, text));
  }

  async close(ref: ThreadRef): Promise<void> {
    if (!ref.statusId || !this.#mine(ref)) return;
    this.#steps.end(ref.statusId);
    this.screen.endLive(ref.statusId);
  }

  async finalReply(ref: ThreadRef, text: Message): Promise<string> {
    if (!this.#mine(ref)) return String(this.#next++);
    const id = await this.postReply(ref, finalLine(ref.requester, text));
    if (this.#open.delete(ref.rootId) && this.#open.size === 0) {
      const ended = this.#allEnded;
      this.#allEnded = undefined;
      ended?.();
    }
    return id;
  }

  /** A thread of this console; another console's is drawn by its owner, which the relay reaches. */
  #mine(ref: ThreadRef): boolean {
    return ref.channel === this.channel;
  }

  /** Root lines of the threads still running (started here and not yet ended). */
  running(): string[] {
    return [...this.#open].map(([id, root]) => `${id} ${root}`);
  }

  /** Settles when every thread started here has ended. */
  allEnded(): Promise<void> {
    if (this.#open.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const before = this.#allEnded;
      this.#allEnded = () => {
        before?.();
        resolve();
      };
    });
  }
}

function indent(ref: ThreadRef, text: string): string {
  const mark = `  ${ref.rootId.padStart(3)} │ `;
  return text
    .split('\n')
    .map((l) => mark + l)
    .join('\n');
}
