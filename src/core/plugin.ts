import type { Logger } from 'pino';
import type { Role } from '../words/roles.js';
import type { ArgSpec, Args } from './arg-spec.js';
import type { ArgsOf } from './arg-types.js';
import { defineCommand as defineInternal, type CommandContext, type CommandDef } from './define-command.js';
import { reply, type Field, type Reply, type Visibility } from './reply.js';
import type { ClockPort } from './ports.js';
import type { PluginPorts, PluginPortsPort } from './plugin-ports.js';
import { unconfiguredPorts } from './plugin-ports-none.js';

/**
 * The public command API of `opsline` (docs/plugins.md). A plugin command is a description the bot
 * turns into an ordinary CommandDef: the registry, the dispatcher and the adapters see it like a
 * built-in, so it passes the whole pipeline. Its handler sees only a PluginContext, never the
 * dispatcher's context (services, access, registry, confirm/approve).
 */

/** What a plugin handler may log with: a child of the bot's logger, tagged with the plugin and the invocation. */
export type PluginLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** The narrow, frozen context a plugin handler gets (docs/plugins.md, "The context"). */
export interface PluginContext<A = Args> extends PluginPorts {
  /** Typed from the command's `args` specs, already parsed and validated by the pipeline. */
  readonly args: A;
  /** Who called, as the platform proved it: the allowlist key (`slack:T…:U…`, `discord:…`, `console:…`) and a display name. */
  readonly caller: { readonly key: string; readonly name: string };
  /** This invocation: its id (in the audit row and in "internal error" replies), platform and room. */
  readonly invocation: { readonly id: string; readonly platform: string; readonly room: string; readonly receivedAt: Date };
  readonly log: PluginLogger;
  /** The bot's clock (a test kit may set it). */
  now(): Date;
  /**
   * Starts a thread for longer work (a root message, then a status line edited in place), as /deploy
   * does; the answer the handler returns is still the command's reply. Not every platform has threads.
   */
  thread(root: string, status: string): Promise<PluginThread>;
}

/** A thread a plugin command started: texts are shown as plain text, control characters escaped. */
export interface PluginThread {
  /** Replaces the status line (edits are coalesced). */
  status(text: string): void;
  /** Posts a line in the thread. */
  post(text: string): Promise<void>;
  /** Sets the last status and posts `text` mentioning the caller. */
  finish(status: string, text: string): Promise<void>;
}

/** What a plugin handler returns: text, or a reply made with `reply()`. */
export type PluginReply = string | Reply;

export type PluginHandler<A = Args> = (ctx: PluginContext<A>) => Promise<PluginReply> | PluginReply;

/** A plugin command as its author writes it (docs/plugins.md, "Writing a command"). */
export interface PluginCommandInput<A extends readonly ArgSpec[]> {
  readonly name: string;
  readonly description: string;
  /** Derived from `args` when left out. */
  readonly usage?: string;
  readonly examples?: readonly string[];
  readonly args?: A;
  /** Roles that may run it; required and never empty: a plugin command is denied by default. */
  readonly roles: readonly Role[];
  /** Whether it changes something (the audit row and /help say so); default false. */
  readonly sideEffects?: boolean;
  /** Ask the caller to confirm first: `true`, or the question to ask. */
  readonly confirm?: boolean | string;
  /** Someone else with one of these roles must approve each run. */
  readonly approvers?: readonly Role[];
  readonly handler: PluginHandler<ArgsOf<A>>;
}

/** A command made with `defineCommand` from `opsline`: give it (or a list) as a module's default export. */
export interface PluginCommand {
  readonly [PLUGIN_COMMAND]: 1;
  readonly name: string;
  readonly description: string;
  readonly usage?: string;
  readonly examples?: readonly string[];
  readonly args?: readonly ArgSpec[];
  readonly roles: readonly Role[];
  readonly sideEffects?: boolean;
  readonly confirm?: boolean | string;
  readonly approvers?: readonly Role[];
  readonly handler: PluginHandler;
}

/**
 * The brand of a plugin command. A registered symbol, so a command made by another copy of the
 * package (a plugin's own node_modules) is still recognised; the loader checks its shape anyway.
 */
export const PLUGIN_COMMAND: unique symbol = Symbol.for('opsline.plugin-command.v1') as never;

/** Defines a plugin command; its shape is checked now, so a mistake fails at load, not at use. */
export function defineCommand<const A extends readonly ArgSpec[] = []>(input: PluginCommandInput<A>): PluginCommand {
  const cmd = Object.freeze({ ...input, [PLUGIN_COMMAND]: 1 as const }) as unknown as PluginCommand;
  toCommandDef(cmd, silentLog);
  return cmd;
}

export function isPluginCommand(x: unknown): x is PluginCommand {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[PLUGIN_COMMAND] === 1;
}

const noop = () => {};
const silentLog = { debug: noop, info: noop, warn: noop, error: noop, child: () => silentLog } as unknown as Logger;

/**
 * The CommandDef the registry holds for a plugin command: built with the same defineCommand the
 * built-ins use (its checks run here), its handler given only a PluginContext, and its answer
 * copied field by field, so a plugin cannot hand the adapters a confirm or approve button.
 */
export function toCommandDef(p: PluginCommand, pluginLog: Logger): CommandDef<unknown> {
  const approvers = p.approvers;
  const question = typeof p.confirm === 'string' ? p.confirm : `run /${p.name}`;
  const def = defineInternal({
    name: p.name,
    description: p.description,
    ...(p.usage !== undefined ? { usage: p.usage } : {}),
    examples: Array.isArray(p.examples) ? [...p.examples] : [],
    args: Array.isArray(p.args) ? [...p.args] : [],
    // A plugin in plain JavaScript may leave roles out: the loader refuses that with its own message.
    roles: Array.isArray(p.roles) ? [...p.roles] : [],
    sideEffects: p.sideEffects === true,
    handler: async (ctx) => toReply(await p.handler(contextFor(ctx, pluginLog)), p.name),
    ...(p.confirm ? { confirm: () => question } : {}),
    ...(approvers?.length ? { approvers: () => approvers } : {}),
  });
  fromPlugins.add(def);
  return def;
}

const fromPlugins = new WeakSet<object>();

/** Whether the registry's command came from a plugin (a refusal of a declared command says so). */
export function isPluginDef(def: object): boolean {
  return fromPlugins.has(def);
}

function contextFor(ctx: CommandContext<Args, unknown>, pluginLog: Logger): PluginContext {
  const inv = ctx.invocation;
  const log = pluginLog.child({ invocationId: inv.id, principal: inv.principal.key });
  const ports = portsOf(ctx.services, ctx.invocation, log);
  return Object.freeze({
    args: Object.freeze({ ...ctx.args }),
    caller: Object.freeze({ key: inv.principal.key, name: inv.principal.name }),
    invocation: Object.freeze({ id: inv.id, platform: inv.platform, room: inv.room, receivedAt: new Date(inv.receivedAt.getTime()) }),
    log: Object.freeze({ debug: log.debug.bind(log), info: log.info.bind(log), warn: log.warn.bind(log), error: log.error.bind(log) }),
    now: () => clockOf(ctx.services),
    thread: async (root: string, status: string): Promise<PluginThread> => {
      const t = await ctx.openThread(String(root), String(status));
      return Object.freeze({
        status: (text: string) => t.status(String(text)),
        post: (text: string) => t.milestone(String(text)),
        finish: (last: string, text: string) => t.finish(String(last), String(text)),
      });
    },
    status: ports.status,
    notes: ports.notes,
    devices: ports.devices,
    jobs: ports.jobs,
    http: ports.http,
    secrets: ports.secrets,
  });
}

/** The ports the composition root builds for this invocation (src/app/plugin-ports/); without it, each says not configured. */
function portsOf(services: unknown, inv: CommandContext['invocation'], log: Logger): PluginPorts {
  const build = (services as Partial<PluginPortsPort> | undefined)?.pluginPorts;
  return typeof build === 'function' ? build(inv, log) : unconfiguredPorts();
}

/** The bot's clock when its services have one (the test kit's may be set), else the system's. */
function clockOf(services: unknown): Date {
  const now = (services as Partial<ClockPort> | undefined)?.now;
  return typeof now === 'function' ? now() : new Date();
}

const VISIBILITIES: readonly Visibility[] = ['ephemeral', 'channel'];

/** Text, fields, a fixed-width block and the visibility: what a plugin's answer may carry; anything else is a bug. */
function toReply(r: unknown, name: string): Reply {
  if (typeof r === 'string') return reply(r);
  if (typeof r !== 'object' || r === null || typeof (r as Reply).text !== 'string') throw new Error(`plugin command /${name} returned no reply (a string or reply(...))`);
  const given = r as Reply;
  const fields = Array.isArray(given.fields)
    ? given.fields.filter((f): f is Field => typeof f?.label === 'string' && typeof f?.value === 'string').map((f) => ({ label: f.label, value: f.value }))
    : undefined;
  const visibility = VISIBILITIES.includes(given.visibility) ? given.visibility : 'ephemeral';
  return reply(given.text, { visibility, ...(fields ? { fields } : {}), ...(typeof given.pre === 'string' ? { pre: given.pre } : {}) });
}
