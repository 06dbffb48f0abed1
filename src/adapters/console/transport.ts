import type { Principal, ThreadRef, ThreadStarter, ThreadTransport } from '../../core/thread.js';
import type { Screen } from './screen.js';

const INDENT = '    │ ';

/** Threads on the console: the root is a line, replies are indented under it, the status is a live line. */
export class ConsoleTransport implements ThreadTransport {
  readonly platform = 'console';
  readonly editIntervalMs: number;
  #next = 1;

  constructor(
    private readonly screen: Screen,
    editIntervalMs = 200,
  ) {
    this.editIntervalMs = editIntervalMs;
  }

  starter(requester: Principal): ThreadStarter {
    return {
      startThread: async (rootText) => {
        const rootId = String(this.#next++);
        this.screen.print(rootText);
        return { platform: this.platform, channel: 'console', rootId, requester };
      },
    };
  }

  async postReply(_ref: ThreadRef, text: string): Promise<string> {
    this.screen.print(indent(text));
    return String(this.#next++);
  }

  async edit(_ref: ThreadRef, messageId: string, text: string): Promise<void> {
    this.screen.setLive(messageId, indent(text));
  }

  async close(ref: ThreadRef): Promise<void> {
    if (ref.statusId) this.screen.endLive(ref.statusId);
  }

  mention(who: Principal): string {
    return `@${who.name}`;
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => INDENT + l)
    .join('\n');
}
