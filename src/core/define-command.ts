import type { Logger } from 'pino';
import type { Reply } from './reply.js';
import type { LiveThread } from './live-thread.js';
import type { Principal, ThreadRef, ThreadStarter } from './thread.js';
import type { Role } from './access.js';
import type { Services } from '../services/types.js';
import type { Registry } from './registry.js';
import type { Access } from './access.js';

export type ArgType = 'string' | 'integer' | 'boolean' | 'text';

/**
 * One argument. `text` takes the rest of the line verbatim (only as the last positional);
 * `flag: true` makes it a `--name` (boolean) or `--name=value` option instead of a positional.
 * The same spec drives parsing, validation, /help, Discord options and the Slack usage hint.
 */
export interface ArgSpec {
  readonly name: string;
  readonly type: ArgType;
  readonly description: string;
  readonly required?: boolean;
  readonly flag?: boolean;
  readonly choices?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  readonly default?: string | number | boolean;
  /** A completion source name the platform may offer (`images`, `targets`). */
  readonly autocomplete?: string;
}

export type ArgValue = string | number | boolean;
export type Args = Readonly<Record<string, ArgValue | undefined>>;

export interface Invocation {
  readonly id: string;
  readonly platform: string;
  readonly principal: Principal;
  /** Channel or room id; `console` on the console. */
  readonly room: string;
  readonly command: string;
  /** Raw argument text after the command name (text platforms). */
  readonly text?: string;
  /** Structured options (Discord): subcommand plus named values. */
  readonly options?: { readonly subcommand?: string; readonly values: Readonly<Record<string, ArgValue>> };
  readonly receivedAt: Date;
}

export interface CommandContext {
  readonly invocation: Invocation;
  readonly args: Args;
  readonly services: Services;
  readonly log: Logger;
  readonly registry: Registry;
  readonly access: Access;
  /** How this platform starts a thread for long work. */
  readonly threads: ThreadStarter;
  /** Starts a thread on this platform: the root, then the live status message (its id is in the ref). */
  openThread(rootText: string, initialStatus: string): Promise<LiveThread>;
  /** Reopens a stored thread (any platform this process has a transport for). */
  reopenThread(ref: ThreadRef): LiveThread | undefined;
  /** How this platform mentions someone (`<@U123>`, `@alice`). */
  mention(who: Principal): string;
  /** A handler that starts a job records its id here so the audit row carries it. */
  setJobId(id: string): void;
  /** Runs the request this caller is asked to confirm under `code` (the /confirm command and confirm buttons). */
  confirm(code: string): Promise<Reply>;
  /** Runs someone else's request held for approval under `code` (the /approve command and approve buttons). */
  approve(code: string): Promise<Reply>;
}

/**
 * Asked after parsing and authorisation, before the handler: a prompt means "ask first" (the
 * dispatcher holds the request and replies with a confirmation code); undefined runs it now. It may
 * throw a UserError to refuse before anything is asked (a bad ref, a locked target).
 */
export type ConfirmCheck = (ctx: CommandContext) => Promise<string | undefined> | string | undefined;

export type Handler = (ctx: CommandContext) => Promise<Reply> | Reply;

/**
 * Asked after parsing and authorisation: roles of which someone other than the caller must approve
 * this request before it runs (a deploy target's `approvers`); undefined needs no approval.
 */
export type ApproversCheck = (ctx: CommandContext) => Promise<readonly Role[] | undefined> | readonly Role[] | undefined;

export interface SubcommandDef {
  readonly description: string;
  readonly usage: string;
  readonly args?: readonly ArgSpec[];
  readonly roles: readonly Role[];
  readonly sideEffects: boolean;
  readonly handler: Handler;
  readonly confirm?: ConfirmCheck;
  readonly approvers?: ApproversCheck;
}

export interface CommandDef {
  readonly name: string;
  readonly description: string;
  /** One line, e.g. `/note add <text> | list [n] | search <words>`. */
  readonly usage: string;
  readonly examples: readonly string[];
  readonly args?: readonly ArgSpec[];
  /** Roles that may run it; for commands with subcommands, each subcommand names its own. */
  readonly roles: readonly Role[];
  readonly sideEffects: boolean;
  readonly handler?: Handler;
  /** For a command without subcommands: ask before running (see ConfirmCheck). */
  readonly confirm?: ConfirmCheck;
  readonly approvers?: ApproversCheck;
  readonly subcommands?: Readonly<Record<string, SubcommandDef>>;
  /** Used when the first word is not a subcommand name (`/burn image.iso` → `start`). */
  readonly defaultSubcommand?: string;
}

const NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** Checks a command's shape once, at load time, so a mistake fails at startup rather than at use. */
export function defineCommand(def: CommandDef): CommandDef {
  if (!NAME.test(def.name)) throw new Error(`command name "${def.name}" must match ${NAME}`);
  const subs = Object.entries(def.subcommands ?? {});
  if (subs.length === 0 && !def.handler) throw new Error(`command ${def.name} has neither handler nor subcommands`);
  if (def.defaultSubcommand && !def.subcommands?.[def.defaultSubcommand])
    throw new Error(`command ${def.name}: default subcommand ${def.defaultSubcommand} is not defined`);
  for (const [sub, s] of subs) {
    if (!NAME.test(sub)) throw new Error(`command ${def.name}: subcommand name "${sub}" must match ${NAME}`);
    checkArgs(`${def.name} ${sub}`, s.args ?? []);
  }
  checkArgs(def.name, def.args ?? []);
  return Object.freeze(def);
}

function checkArgs(where: string, args: readonly ArgSpec[]): void {
  const seen = new Set<string>();
  const positionals = args.filter((x) => !x.flag);
  for (const a of args) {
    if (seen.has(a.name)) throw new Error(`command ${where}: duplicate argument ${a.name}`);
    seen.add(a.name);
    if (a.type === 'text' && (a.flag || positionals.indexOf(a) !== positionals.length - 1))
      throw new Error(`command ${where}: text argument ${a.name} must be the last positional`);
  }
}
