import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { commands as builtins } from '../../commands/index.js';
import { buildPlugins } from '../../commands/plugins/check.js';
import { buildApp, type App } from '../app/main.js';
import { buildConfig, ConfigError } from '../config/load.js';
import { MemoryAuditSink, type AuditRecord } from '../core/audit.js';
import { UserError } from '../core/errors.js';
import { plainText, type Message } from '../core/message.js';
import type { PluginCommand } from '../core/plugin.js';
import { replyToText, type Reply } from '../core/reply.js';
import type { ThreadRef, ThreadTransport } from '../core/thread.js';
import type { Role } from '../words/roles.js';
import { MemorySecrets } from '../services/secrets/index.js';
import { MemoryBurnQueue } from '../services/queue/memory.js';
import { SettableStatus, listedDevices, type TestDevices, type TestStatus } from './testing-services.js';

/**
 * `opsline/testing` (docs/plugins.md, "Testing a plugin"): a bot built by the same composition root
 * as `opsline start`, with the real registry and dispatcher (allowlist, roles, confirmation, approval,
 * audit) and in-memory services, to which a test gives its plugin commands and its callers.
 */

export type { AuditRecord } from '../core/audit.js';
export type { Reply } from '../core/reply.js';
export type { TestDevices, TestStatus } from './testing-services.js';

export interface TestBotOptions {
  /** The plugin commands under test: what a plugin module exports (one command or a list). */
  readonly commands: PluginCommand | readonly PluginCommand[];
  /** The allowlist: `{ 'console:alice': ['viewer'] }`. Anyone else is denied, as in a real bot. */
  readonly users?: Readonly<Record<string, readonly Role[]>>;
  /** More config, as the YAML file would give it (`access.commands`, `access.approval`, …); no plugins key. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** The bot's clock. */
  readonly now?: () => Date;
  /** What `ctx.secrets.get` reads: `{ 'vault:ci/prod#token': '…', 'env:API_KEY': '…' }`; any other reference is not set. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** The counts `ctx.status` and /status report (`bot.setStatus` changes them); without it status is not configured. */
  readonly status?: TestStatus;
  /** Agents (all up) and their drives, for `ctx.devices` and /drives; with it `ctx.jobs` lists an empty in-memory queue. */
  readonly devices?: TestDevices;
}

/** One command's answer: the reply (the final one, when the first said "working…"), and its text. */
export interface Said {
  readonly reply: Reply;
  /** The reply as the console shows it: its text, fixed-width block and fields. */
  readonly text: string;
  /** The error code of an error reply (docs/errors.md): `denied`, `usage`, `internal`, … */
  readonly code?: string;
}

/** A bot for tests: `await bot.say('console:alice', '/dice 6')`. */
export class TestBot {
  readonly #audit: MemoryAuditSink;
  readonly #posts: string[];
  readonly #logs: Record<string, unknown>[];

  readonly #status: SettableStatus | undefined;

  private constructor(
    private readonly app: App,
    audit: MemoryAuditSink,
    posts: string[],
    logs: Record<string, unknown>[],
    status: SettableStatus | undefined,
  ) {
    this.#status = status;
    this.#audit = audit;
    this.#posts = posts;
    this.#logs = logs;
  }

  static async create(opts: TestBotOptions): Promise<TestBot> {
    const config = buildConfig(withUsers(opts.config ?? {}, opts.users ?? {}), 'testBot');
    const logs: Record<string, unknown>[] = [];
    const log = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _e, done) => (logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) }));
    const list = Array.isArray(opts.commands) ? (opts.commands as readonly PluginCommand[]) : [opts.commands as PluginCommand];
    const built = buildPlugins(list.map((value) => ({ where: 'testBot', value })), { builtins: builtins.map((c) => c.name), declared: (config.commands ?? []).map((c) => c.name) }, log);
    if (!built.ok) throw new ConfigError('testBot', built.issues);
    const audit = new MemoryAuditSink();
    const status = opts.status && new SettableStatus(opts.status, opts.now ?? (() => new Date()));
    const given = new Map(Object.entries(opts.secrets ?? {}));
    const vault = Object.fromEntries([...given].filter(([ref]) => ref.startsWith('vault:')));
    const app = await buildApp(config, {
      log,
      audit,
      plugins: built.commands,
      secrets: new MemorySecrets(vault),
      env: (name) => given.get(`env:${name}`),
      ...(status ? { status } : {}),
      ...(opts.devices ? { burns: { devices: listedDevices(opts.devices), queue: new MemoryBurnQueue() } } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    });
    const posts: string[] = [];
    app.transports.add(recorder(posts));
    return new TestBot(app, audit, posts, logs, status);
  }

  /** Runs one typed line as `caller` (an allowlist key) through the whole pipeline. */
  async say(caller: string, line: string, opts: { readonly room?: string; readonly name?: string } = {}): Promise<Said> {
    // As the console reads a line: `/name the rest`; the dispatcher answers a name it does not know.
    const m = /^\/?(\S*)\s*([\s\S]*)$/.exec(line.trim())!;
    const principal = { key: caller, name: opts.name ?? caller.split(':').pop() ?? caller };
    const inv = { id: randomUUID(), platform: 'test', principal, room: opts.room ?? 'room', command: m[1]!, text: m[2] ?? '', receivedAt: new Date() };
    const first = await this.app.dispatcher.dispatch(inv, recorderStarter(this.#posts, principal));
    const reply = first.later ? await first.later : first;
    return { reply, text: replyToText(reply), ...(reply.code ? { code: reply.code } : {}) };
  }

  /** Every audit row so far, oldest first: one per invocation. */
  get audit(): readonly AuditRecord[] {
    return [...this.#audit.records];
  }

  /** Every message posted in threads so far (roots, lines and final lines; not status edits). */
  get threadPosts(): readonly string[] {
    return [...this.#posts];
  }

  /** The bot's log lines so far, as pino objects (`msg`, `err.stack`, `invocationId`, …). */
  get logs(): readonly Record<string, unknown>[] {
    return [...this.#logs];
  }

  /** Sets the counts `ctx.status` and /status report from now on (testBot's `status` option must be given). */
  setStatus(status: TestStatus): void {
    if (!this.#status) throw new UserError('not_configured', 'testBot: give `status` to set its counts');
    this.#status.set(status);
  }

  stop(): Promise<void> {
    return this.app.stop();
  }
}

/** Builds a TestBot (see TestBotOptions). */
export function testBot(opts: TestBotOptions): Promise<TestBot> {
  return TestBot.create(opts);
}

function withUsers(config: Readonly<Record<string, unknown>>, users: Readonly<Record<string, readonly Role[]>>): Record<string, unknown> {
  if (Object.hasOwn(config, 'plugins')) throw new ConfigError('testBot', ['plugins: give the plugin commands in `commands`']);
  const access = (config.access ?? {}) as Record<string, unknown>;
  const listed = Array.isArray(access.users) ? access.users : [];
  return { ...config, access: { ...access, users: [...listed, ...Object.entries(users).map(([key, roles]) => ({ key, roles: [...roles] }))] } };
}

function recorder(posts: string[]): ThreadTransport {
  return {
    platform: 'test',
    editIntervalMs: 0,
    postReply: async (_ref: ThreadRef, text: Message) => {
      posts.push(plainText(text));
      return `m${posts.length}`;
    },
    edit: async () => {},
  };
}

function recorderStarter(posts: string[], requester: ThreadRef['requester']) {
  return {
    startThread: async (text: Message): Promise<ThreadRef> => {
      posts.push(plainText(text));
      return { platform: 'test', channel: 'room', rootId: `m${posts.length}`, requester };
    },
  };
}
