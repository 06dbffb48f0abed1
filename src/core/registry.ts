import type { CommandCatalog, CommandDef, Target } from './define-command.js';
import { nextToken } from './tokenize.js';

export type { Target } from './define-command.js';

/**
 * `Svc`: the services the dispatcher gives every command; each command's own ports must be among them.
 * A bare `Registry` (`never`) is any registry, read but not run (checks at startup, /help).
 */
export class Registry<Svc = never> implements CommandCatalog {
  readonly #byName = new Map<string, CommandDef<Svc>>();
  /** Every target, built once: commands do not change after startup, and /help reads them all on every call. */
  readonly #targets: readonly Target<Svc>[];
  readonly #byPath = new Map<string, Target<Svc>>();

  /** Built from the explicit list in commands/index.ts; a duplicate name fails at startup. */
  constructor(commands: readonly CommandDef<NoInfer<Svc>>[]) {
    for (const c of commands) {
      if (this.#byName.has(c.name)) throw new Error(`duplicate command name: ${c.name}`);
      this.#byName.set(c.name, c);
    }
    this.#targets = [...this.#byName.values()].flatMap((c) =>
      c.subcommands ? Object.keys(c.subcommands).map((s) => targetOf(c, s)) : [targetOf(c, undefined)],
    );
    for (const t of this.#targets) this.#byPath.set(t.path, t);
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
   * default subcommand; returns the target and the argument text that remains.
   */
  resolve(command: CommandDef<Svc>, text: string, explicitSub?: string): { target: Target<Svc>; rest: string } | { error: string } {
    if (!command.subcommands) return { target: this.#target(command, undefined), rest: text };
    const names = Object.keys(command.subcommands);
    if (explicitSub !== undefined) {
      return Object.hasOwn(command.subcommands, explicitSub)
        ? { target: this.#target(command, explicitSub), rest: text }
        : { error: `unknown subcommand "${explicitSub}"; one of: ${names.join(', ')}` };
    }
    const first = safeFirst(text);
    if (first && Object.hasOwn(command.subcommands, first.value)) return { target: this.#target(command, first.value), rest: text.slice(first.end) };
    if (command.defaultSubcommand) return { target: this.#target(command, command.defaultSubcommand), rest: text };
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
