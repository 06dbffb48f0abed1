import { pino } from 'pino';
import type { Role } from '../../src/words/roles.js';
import { MemoryAuditSink } from '../../src/core/audit.js';
import type { Services } from '../../src/app/services.js';
import type { CommandDef } from '../../src/core/define-command.js';
import { finalLine, plainText, type Message } from '../../src/core/message.js';
import type { Reply } from '../../src/core/reply.js';
import type { ThreadRef, ThreadStarter, ThreadTransport } from '../../src/core/thread.js';
import type { Principal } from '../../src/core/principal.js';
import { buildConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { buildApp, type App, type BuildOptions } from '../../src/app/main.js';
import { lineInvocation } from './command-line.js';
import { slackGroupMembers } from '../../src/adapters/slack/usergroups.js';

export interface ThreadMessage {
  readonly kind: 'root' | 'reply' | 'edit' | 'channel';
  readonly id: string;
  readonly text: string;
}

/** Posted messages (roots and replies), without status edits. */
export const texts = (ms: readonly ThreadMessage[]): string[] => ms.filter((m) => m.kind !== 'edit').map((m) => m.text);

/** Records every thread call, like a platform would show them. */
export class RecordingTransport implements ThreadTransport {
  readonly platform = 'test';
  readonly messages: ThreadMessage[] = [];
  #next = 1;
  constructor(readonly editIntervalMs = 0) {}

  starter(requester: Principal): ThreadStarter {
    return {
      channel: 'room',
      startThread: async (text) => {
        const id = `m${this.#next++}`;
        this.messages.push({ kind: 'root', id, text: plainText(text) });
        return { platform: this.platform, channel: 'room', rootId: id, requester } satisfies ThreadRef;
      },
    };
  }
  async postReply(_ref: ThreadRef, text: Message): Promise<string> {
    const id = `m${this.#next++}`;
    this.messages.push({ kind: 'reply', id, text: plainText(text) });
    return id;
  }
  async edit(_ref: ThreadRef, id: string, text: Message): Promise<void> {
    this.messages.push({ kind: 'edit', id, text: plainText(text) });
  }
  async postChannel(_channel: string, requester: Principal, text: Message): Promise<string> {
    const id = `m${this.#next++}`;
    this.messages.push({ kind: 'channel', id, text: plainText(finalLine(requester, text)) });
    return id;
  }
}

export interface TestAdapterOptions {
  readonly config?: ConfigInput;
  readonly demo?: boolean;
  readonly commands?: readonly CommandDef<Services>[];
  readonly now?: () => Date;
  readonly burns?: BuildOptions['burns'];
  readonly secrets?: BuildOptions['secrets'];
}

/** Drives the real dispatcher the way an adapter does: `say(key, '/note add hi')` → the replies. */
export class TestAdapter {
  private constructor(
    readonly app: App,
    readonly audit: MemoryAuditSink,
    readonly transport: RecordingTransport,
  ) {}

  static async create(opts: TestAdapterOptions = {}) {
    const config = buildConfig(opts.config ?? { access: { users: [] } }, 'test');
    const audit = new MemoryAuditSink();
    const app = await buildApp(config, { log: pino({ level: 'silent' }), demo: opts.demo ?? true, audit, commands: opts.commands, now: opts.now, burns: opts.burns, secrets: opts.secrets, slackGroupMembers });
    const transport = new RecordingTransport();
    app.transports.add(transport);
    await app.startWorkers();
    return new TestAdapter(app, audit, transport);
  }

  async say(principalKey: string, line: string, room = 'room'): Promise<Reply[]> {
    return this.sayAs({ key: principalKey, name: principalKey.split(':').pop() ?? principalKey }, line, room);
  }

  /** Like `say`, with a display name of the caller's choosing (platforms let anyone set one). */
  async sayAs(principal: Principal, line: string, room = 'room'): Promise<Reply[]> {
    const reply = await this.app.dispatcher.dispatch(lineInvocation(principal, line, room), this.transport.starter(principal));
    return [reply];
  }

  stop(): Promise<void> {
    return this.app.stop();
  }

  /** The one reply text, for the common case. */
  async text(principalKey: string, line: string, room?: string): Promise<string> {
    const [r] = await this.say(principalKey, line, room);
    return r?.text ?? '';
  }
}

export const ADMIN = 'console:admin';

/** Allowlist entries from `{ key: roles }`. */
export function users(entries: Record<string, Role[]>): { key: string; roles: Role[] }[] {
  return Object.entries(entries).map(([key, roles]) => ({ key, roles }));
}
