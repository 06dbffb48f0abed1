import type { Principal, ThreadRef, ThreadStarter, ThreadTransport } from '../../core/thread.js';
import type { Screen } from './screen.js';

/**
 * Threads on the console: the root is a line marked `#n`, replies are indented under it with the
 * same mark (two jobs' lines interleave in a pipe, and the mark says which is which), and the
 * status is a live line on a terminal.
 */
export class ConsoleTransport implements ThreadTransport {
  readonly platform = 'console';
  readonly editIntervalMs: number;
  #next = 1;
  #threads = 0;

  constructor(
    private readonly screen: Screen,
    editIntervalMs = 200,
  ) {
    this.editIntervalMs = editIntervalMs;
  }

  starter(requester: Principal): ThreadStarter {
    return {
      startThread: async (rootText) => {
        const rootId = `#${++this.#threads}`;
        this.screen.print(`${rootId} ${rootText}`);
        return { platform: this.platform, channel: 'console', rootId, requester };
      },
    };
  }

  async postReply(ref: ThreadRef, text: string): Promise<string> {
    this.screen.print(indent(ref, text));
    return String(this.#next++);
  }

  async edit(ref: ThreadRef, messageId: string, text: string): Promise<void> {
    this.screen.setLive(messageId, indent(ref, text));
  }

  async close(ref: ThreadRef): Promise<void> {
    if (ref.statusId) this.screen.endLive(ref.statusId);
  }

  mention(who: Principal): string {
    return `@${who.name}`;
  }
}

function indent(ref: ThreadRef, text: string): string {
  const mark = `  ${ref.rootId.padStart(3)} │ `;
  return text
    .split('\n')
    .map((l) => mark + l)
    .join('\n');
}
