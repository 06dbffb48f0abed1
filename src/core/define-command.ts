import type { Logger } from 'pino';
import type { Message } from './message.js';
import type { Reply } from './reply.js';
import type { LiveThread } from './live-thread.js';
import type { ThreadRef, ThreadStarter } from './thread.js';
import type { Principal } from './principal.js';
import type { Role } from '../words/roles.js';
import type { Access } from './access.js';
import type { ArgsOf } from './arg-types.js';
import type { ArgSpec, ArgValue, Args } from './arg-spec.js';
import { COMMAND_NAME } from '../words/names.js';
import { resolverOf } from './resolvers.js';
import { commandUsage, pathUsage } from './usage.js';

export type { ArgSpec, ArgType, ArgValue, Args } from './arg-spec.js';

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

/**
 * `A`: the arguments as the command's specs type them (see ArgsOf); the dispatcher itself sees them as `Args`.
 * `Svc`: the services the command is given, typed as the ports it names (src/core/ports.ts,
 * docs/architecture.md "Ports"); core never sees the composition root's whole bag.
 */
export interface CommandContext<A = Args, Svc = unknown> {
  readonly invocation: Invocation;
  readonly args: A;
  readonly services: Svc;
  readonly log: Logger;
  /** What the handler may read of the registry (/help lists it). */
  readonly registry: CommandCatalog;
  readonly access: Access;
  /** How this platform starts a thread for long work. */
  readonly threads: ThreadStarter;
  /**
   * Starts a thread on this platform: the root, then the live status message (its id is in the ref).
   * A root that names someone says so with a typed mention (`` msg`… for ${mention(who)}` ``, src/core/message.ts).
   */
  openThread(rootText: Message, initialStatus: Message): Promise<LiveThread>;
  /** Reopens a stored thread (any platform this process has a transport for). */
  reopenThread(ref: ThreadRef): LiveThread | undefined;
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
export type ConfirmCheck<A = Args, Svc = unknown> = (ctx: CommandContext<A, Svc>) => Promise<string | undefined> | string | undefined;

export type Handler<A = Args, Svc = unknown> = (ctx: CommandContext<A, Svc>) => Promise<Reply> | Reply;

/**
 * Asked after parsing and authorisation: roles of which someone other than the caller must approve
 * this request before it runs (a deploy target's `approvers`); undefined needs no approval.
 */
export type ApproversCheck<A = Args, Svc = unknown> = (ctx: CommandContext<A, Svc>) => Promise<readonly Role[] | undefined> | readonly Role[] | undefined;

/** A subcommand as written: `A` is inferred from its `args`, so its handler reads typed values. */
export interface SubcommandDef<A = readonly ArgSpec[], Svc = unknown> {
  readonly description: string;
  /** Derived from `args` when left out (src/core/usage.ts), which is what commands/ do. */
  readonly usage?: string;
  readonly args?: A & readonly ArgSpec[];
  readonly roles: readonly Role[];
  readonly sideEffects: boolean;
  readonly handler: Handler<ArgsOf<Specs<A>>, Svc>;
  readonly confirm?: ConfirmCheck<ArgsOf<Specs<A>>, Svc>;
  readonly approvers?: ApproversCheck<ArgsOf<Specs<A>>, Svc>;
}

/** A subcommand written without `args` infers `unknown` for them: it has none. */
type Specs<A> = A extends readonly ArgSpec[] ? A : [];

/**
 * A command as the registry, the dispatcher and the adapters see it: arguments as plain `Args`;
 * `Svc` is what it needs of the services (a command on fewer ports fits a registry of more). A bare
 * `CommandDef` (`never`) is any command, to list or describe (the manifest, /help), not to run.
 */
export interface CommandDef<Svc = never> {
  readonly name: string;
  readonly description: string;
  /** One line, e.g. `/note add <text> | list [n] | search <words>`. */
  readonly usage: string;
  readonly examples: readonly string[];
  readonly args?: readonly ArgSpec[];
  /** Roles that may run it; for commands with subcommands, each subcommand names its own. */
  readonly roles: readonly Role[];
  readonly sideEffects: boolean;
  // Function-typed properties, checked contravariantly: a command on fewer ports (CommandDef<NotesPort>)
  // fits a registry of the whole bag (Registry<Services>), and one naming a port the bag lacks does not.
  readonly handler?: Handler<Args, Svc>;
  /** For a command without subcommands: ask before running (see ConfirmCheck). */
  readonly confirm?: ConfirmCheck<Args, Svc>;
  readonly approvers?: ApproversCheck<Args, Svc>;
  readonly subcommands?: Readonly<Record<string, StoredSubcommand<Svc>>>;
  /** Used when the first word is not a subcommand name (`/burn image.iso` → `start`). */
  readonly defaultSubcommand?: string;
  /**
   * Its arguments name users: platforms should send a typed `@name` as a user id (Slack's
   * `should_escape`), since a display name is no identity.
   */
  readonly mentions?: boolean;
}

export interface StoredSubcommand<Svc = never> extends Omit<SubcommandDef, 'usage' | 'handler' | 'confirm' | 'approvers'> {
  readonly usage: string;
  readonly handler: Handler<Args, Svc>;
  readonly confirm?: ConfirmCheck<Args, Svc>;
  readonly approvers?: ApproversCheck<Args, Svc>;
}

/** What one command path (`status`, `note add`) resolves to. */
export interface Target<Svc = never> {
  readonly command: CommandDef<Svc>;
  readonly sub?: string;
  /** `note add`, or the bare name for commands without subcommands. */
  readonly path: string;
  readonly usage: string;
  readonly args: readonly ArgSpec[];
  readonly roles: readonly Role[];
  readonly sideEffects: boolean;
  readonly handler: Handler<Args, Svc>;
  readonly confirm?: ConfirmCheck<Args, Svc>;
}

/**
 * The registry as a handler reads it (/help lists it): commands whatever services they need, so
 * typed on `never` services: a handler may list them, not run them.
 */
export interface CommandCatalog {
  get(name: string): CommandDef<never> | undefined;
  targets(): readonly Target<never>[];
}

/**
 * A command as written in commands/: `A` (its args) and `S` (each subcommand's args) are inferred,
 * so `ctx.args.image` is a `string` with no cast, and a wrong use does not compile.
 */
export interface CommandInput<A extends readonly ArgSpec[], S extends Record<string, unknown>, Svc = unknown> extends Omit<CommandDef, 'usage' | 'args' | 'handler' | 'confirm' | 'approvers' | 'subcommands'> {
  /** Derived from the arguments when left out: `/burn <image.iso> [drive] [--no-verify] | status [job] | …`. */
  readonly usage?: string;
  readonly args?: A;
  readonly handler?: Handler<ArgsOf<A>, Svc>;
  readonly confirm?: ConfirmCheck<ArgsOf<A>, Svc>;
  readonly approvers?: ApproversCheck<ArgsOf<A>, Svc>;
  readonly subcommands?: { readonly [K in keyof S]: SubcommandDef<S[K], Svc> };
}

const NAME = COMMAND_NAME;

/** Checks a command's shape once, at load time, so a mistake fails at startup rather than at use. */
export function defineCommand<const A extends readonly ArgSpec[] = [], const S extends Record<string, unknown> = Record<never, never>>(input: CommandInput<A, S>): CommandDef<unknown> {
  return checked(input);
}

/**
 * `defineCommand` for a command that uses services: it names the ports it uses, and its handlers read
 * them typed (`export default commandUsing<NotesPort & ClockPort>()({ name: 'note', ... })`). The
 * composition root's registry accepts it only if its bag has those ports.
 */
export function commandUsing<Svc>() {
  return <const A extends readonly ArgSpec[] = [], const S extends Record<string, unknown> = Record<never, never>>(input: CommandInput<A, S, Svc>): CommandDef<Svc> => checked(input);
}

function checked<Svc>(input: CommandInput<readonly ArgSpec[], Record<string, unknown>, Svc>): CommandDef<Svc> {
  // The one place typed handlers meet plain Args: parse.ts builds ctx.args from these same specs, so
  // the shape ArgsOf promises is the shape the dispatcher passes.
  const def = withUsage(input as unknown as Written) as unknown as CommandDef<Svc>;
  if (!NAME.test(def.name)) throw new Error(`command name "${def.name}" must match ${NAME}`);
  const subs = Object.entries(def.subcommands ?? {});
  if (subs.length === 0 && !def.handler) throw new Error(`command ${def.name} has neither handler nor subcommands`);
  if (def.defaultSubcommand && !(def.subcommands && Object.hasOwn(def.subcommands, def.defaultSubcommand)))
    throw new Error(`command ${def.name}: default subcommand ${def.defaultSubcommand} is not defined`);
  for (const [sub, s] of subs) {
    if (!NAME.test(sub)) throw new Error(`command ${def.name}: subcommand name "${sub}" must match ${NAME}`);
    checkArgs(`${def.name} ${sub}`, s.args ?? []);
  }
  checkArgs(def.name, def.args ?? []);
  return Object.freeze(def);
}

/**
 * Usage lines and the mention flag from the argument specs, so /help, usage errors, the Slack usage
 * hint and `should_escape` say what the resolvers read (src/core/usage.ts).
 */
function withUsage(def: Written): CommandDef {
  const subs = Object.entries(def.subcommands ?? {}).map(([name, s]): [string, StoredSubcommand] => [
    name,
    Object.freeze(withProps(s, { usage: s.usage ?? pathUsage(def.name, name === def.defaultSubcommand ? undefined : name, s.args ?? []) })),
  ]);
  const every = [...(def.args ?? []), ...subs.flatMap(([, s]) => s.args ?? [])];
  return withProps(def, {
    usage: def.usage ?? (def.subcommands ? commandUsage(def.name, subs.map(([, s]) => s.usage)) : pathUsage(def.name, undefined, def.args ?? [])),
    ...(def.subcommands ? { subcommands: Object.fromEntries(subs) } : {}),
    mentions: def.mentions ?? every.some((a) => a.type === 'principal'),
  });
}

/** `o` with `extra` set, its other properties copied as they are: a getter stays a getter, read at use. */
function withProps<T extends object, E extends object>(o: T, extra: E): Omit<T, keyof E> & E {
  const out = Object.defineProperties({}, Object.getOwnPropertyDescriptors(o));
  for (const [k, v] of Object.entries(extra)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out as Omit<T, keyof E> & E;
}

/** A command as commands/ write it: usage lines may be left to the specs. */
type Written = Omit<CommandDef, 'usage' | 'subcommands'> & {
  readonly usage?: string;
  readonly subcommands?: Readonly<Record<string, Omit<StoredSubcommand, 'usage'> & { readonly usage?: string }>>;
};

function checkArgs(where: string, args: readonly ArgSpec[]): void {
  const seen = new Set<string>();
  const positionals = args.filter((x) => !x.flag);
  for (const a of args) {
    if (seen.has(a.name)) throw new Error(`command ${where}: duplicate argument ${a.name}`);
    seen.add(a.name);
    if (resolverOf(a).maxLength !== undefined && (a.maxLength !== undefined || a.minLength !== undefined))
      throw new Error(`command ${where}: argument ${a.name} takes its length from its type (${a.type})`);
    if (a.type === 'text' && (a.flag || positionals.indexOf(a) !== positionals.length - 1))
      throw new Error(`command ${where}: text argument ${a.name} must be the last positional`);
  }
}
