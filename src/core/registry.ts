import type { CommandCatalog, CommandDef, Target } from './define-command.js';
import { nextToken } from './tokenize.js';

export type { Target } from './define-command.js';

/** A resolved command: its target, the argument text left, and the command as the caller named it. */
export interface Resolved<Svc = never> {
  readonly target: Target<Svc>;
  readonly rest: string;
  readonly named: string;
}

/**
 * `Svc`: the services the dispatcher gives every command; each command's own ports must be among them.
 * A bare `Registry` (`never`) is any registry, read but not run (checks at startup, /help).
 */
export class Registry<Svc = never> implements CommandCatalog {
  #byName = new Map<string, CommandDef<Svc>>();
  /** Every target, built once per command set: /help reads them all on every call. */
  #targets: readonly Target<Svc>[] = [];
  #byPath = new Map<string, Target<Svc>>();
  /** The built-in commands; declared ones (commands/declared/) come and go with a reload. */
  readonly #builtins: readonly CommandDef<Svc>[];

  /** Built from the explicit list in commands/index.ts; a duplicate name fails at startup. */
  constructor(commands: readonly CommandDef<NoInfer<Svc>>[]) {
    this.#builtins = commands;
    this.#load(commands);
  }

  /**
   * Replaces the declared commands (docs/commands.md, "Reloading"): the built-ins stay, the new set is
   * checked and built whole, then swapped in one synchronous step; a duplicate throws and changes nothing.
   */
  setDeclared(declared: readonly CommandDef<Svc>[]): void {
    this.#load([...this.#builtins, ...declared]);
  }

  /** The built-in commands: the names declared commands may not take. */
  builtins(): readonly CommandDef<Svc>[] {
    return this.#builtins;
  }

  #load(commands: readonly CommandDef<Svc>[]): void {
    const byName = new Map<string, CommandDef<Svc>>();
    for (const c of commands) {
      if (byName.has(c.name)) throw new Error(`duplicate command name: ${c.name}`);
      byName.set(c.name, c);
    }
    const targets = [...byName.values()].flatMap((c) =>
      c.subcommands ? Object.keys(c.subcommands).map((s) => targetOf(c, s)) : [targetOf(c, undefined)],
    );
    const byPath = new Map<string, Target<Svc>>();
    for (const t of targets) byPath.set(t.path, t);
    this.#byName = byName;
    this.#targets = targets;
    this.#byPath = byPath;
  }

  /** The target of one path (`note add`), as resolved from this command set. */
  target(path: string): Target<Svc> | undefined {
    return this.#byPath.get(path);
  }

  get(name: string): CommandDef<Svc> | undefined {
    return this.#byName.get(name);
  }

  all(): readonly CommandDef<Svc>[] {
    return [...this.#byName.values()];
  }

  /** Every runnable path, one per subcommand. */
  targets(): readonly Target<Svc>[] {
    return this.#targets;
  }

  /**
   * Chooses the subcommand from the first word of `text` (or from `explicitSub`), falling back to the
   * default subcommand; returns the target, the argument text that remains, and the command as the
   * caller named it (`burn` for `/burn x.iso`, whose target is `burn start`): replies say that, never
   * an internal name the caller did not type.
   */
  resolve(command: CommandDef<Svc>, text: string, explicitSub?: string): Resolved<Svc> | { error: string } {
    if (!command.subcommands) return { target: this.#target(command, undefined), rest: text, named: command.name };
    const names = Object.keys(command.subcommands);
    if (explicitSub !== undefined) {
      return Object.hasOwn(command.subcommands, explicitSub)
        ? { target: this.#target(command, explicitSub), rest: text, named: `${command.name} ${explicitSub}` }
        : { error: `unknown subcommand "${explicitSub}"; one of: ${names.join(', ')}` };
    }
    const first = safeFirst(text);
    if (first && Object.hasOwn(command.subcommands, first.value))
      return { target: this.#target(command, first.value), rest: text.slice(first.end), named: `${command.name} ${first.value}` };
    if (command.defaultSubcommand) return { target: this.#target(command, command.defaultSubcommand), rest: text, named: command.name };
    return first
      ? { error: `unknown subcommand "${first.value.slice(0, 40)}"; one of: ${names.join(', ')}` }
      : { error: `which one? ${names.join(', ')}` };
  }

  /** The target built at startup for a registered command (and one of its subcommands); built now for any other. */
  #target(command: CommandDef<Svc>, sub: string | undefined): Target<Svc> {
    const t = this.#byPath.get(sub === undefined ? command.name : `${command.name} ${sub}`);
    return t?.command === command ? t : targetOf(command, sub);
  }
}

/**
 * A target as a caller would type it when the exact words are not at hand (a held request): the
 * command alone for its default subcommand (`/deploy site main` runs `deploy run`), else its path.
 */
export function shownPath(t: Target): string {
  return t.sub !== undefined && t.sub === t.command.defaultSubcommand ? t.command.name : t.path;
}

function safeFirst(text: string): { value: string; end: number } | undefined {
  try {
    const t = nextToken(text, 0);
    return t && { value: t.token.value, end: t.end };
  } catch {
    return undefined;
  }
}

export function targetOf<Svc>(c: CommandDef<Svc>, sub: string | undefined): Target<Svc> {
  const s = sub !== undefined && c.subcommands && Object.hasOwn(c.subcommands, sub) ? c.subcommands[sub] : undefined;
  if (s) {
    return { command: c, sub, path: `${c.name} ${sub}`, usage: s.usage, args: s.args ?? [], roles: s.roles, sideEffects: s.sideEffects, handler: s.handler, ...(s.confirm ? { confirm: s.confirm } : {}) };
  }
  if (!c.handler) throw new Error(`command ${c.name} needs a subcommand`);
  return { command: c, path: c.name, usage: c.usage, args: c.args ?? [], roles: c.roles, sideEffects: c.sideEffects, handler: c.handler, ...(c.confirm ? { confirm: c.confirm } : {}) };
}
