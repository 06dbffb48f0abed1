import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';

/**
 * Discord's rules for application commands (the application command reference; docs/discord.md):
 * a bulk overwrite that breaks one of them is refused whole, so `opsline register discord` checks
 * them all first and says which entry breaks which rule.
 */
export const DISCORD_LIMITS = { commands: 100, name: 32, description: 100, options: 25, choices: 25, choiceName: 100, combined: 4000, length: 6000 } as const;

// Letters and digits of any script, - and _; Discord also wants chat-input names lower-case.
const NAME = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

interface Opt {
  readonly type: number;
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  readonly autocomplete?: boolean;
  readonly choices?: readonly { readonly name: string; readonly value: string | number }[];
  readonly options?: readonly Opt[];
  readonly min_length?: number;
  readonly max_length?: number;
}

/** Every reason Discord would refuse these commands; empty when they are acceptable. */
export function discordCommandProblems(cmds: readonly RESTPostAPIChatInputApplicationCommandsJSONBody[]): string[] {
  const problems: string[] = [];
  if (cmds.length > DISCORD_LIMITS.commands) problems.push(`Discord allows at most ${DISCORD_LIMITS.commands} commands (has ${cmds.length})`);
  checkNames(cmds.map((c) => c.name), '', problems);
  for (const c of cmds) {
    const where = `/${c.name}`;
    checkEntry(where, c.name, c.description ?? '', problems);
    checkOptions(where, (c.options ?? []) as readonly Opt[], problems);
    const total = combined(c.name, c.description ?? '', (c.options ?? []) as readonly Opt[]);
    if (total > DISCORD_LIMITS.combined) problems.push(`${where}: ${total} characters in names, descriptions and choices (at most ${DISCORD_LIMITS.combined})`);
  }
  return problems;
}

function checkEntry(where: string, name: string, description: string, problems: string[]): void {
  if (!NAME.test(name) || name !== name.toLowerCase()) problems.push(`${where}: the name must be 1–32 lower-case letters, digits, - or _`);
  if (description.length < 1 || description.length > DISCORD_LIMITS.description) problems.push(`${where}: the description must be 1–100 characters`);
}

function checkNames(names: readonly string[], where: string, problems: string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) problems.push(`${where}${where ? ' ' : '/'}${n}: declared twice`);
    seen.add(n);
  }
}

function checkOptions(where: string, opts: readonly Opt[], problems: string[]): void {
  if (opts.length > DISCORD_LIMITS.options) problems.push(`${where}: ${opts.length} options (at most ${DISCORD_LIMITS.options})`);
  checkNames(opts.map((o) => o.name), where, problems);
  let optionalSeen = false;
  for (const o of opts) {
    const at = `${where} ${o.name}`;
    checkEntry(at, o.name, o.description, problems);
    if (o.options) checkOptions(at, o.options, problems);
    if (o.required && optionalSeen) problems.push(`${at}: a required option must come before the optional ones`);
    if (!o.required) optionalSeen = true;
    if (o.choices && o.choices.length > DISCORD_LIMITS.choices) problems.push(`${at}: ${o.choices.length} choices (at most ${DISCORD_LIMITS.choices})`);
    if (o.choices && o.autocomplete) problems.push(`${at}: choices and autocomplete cannot be combined`);
    for (const ch of o.choices ?? [])
      if (ch.name.length < 1 || ch.name.length > DISCORD_LIMITS.choiceName || String(ch.value).length > DISCORD_LIMITS.choiceName)
        problems.push(`${at}: choice "${ch.name}" must be 1–100 characters`);
    for (const [k, v] of [['min_length', o.min_length], ['max_length', o.max_length]] as const)
      if (v !== undefined && (v < (k === 'max_length' ? 1 : 0) || v > DISCORD_LIMITS.length)) problems.push(`${at}: ${k} out of range`);
  }
}

function combined(name: string, description: string, opts: readonly Opt[]): number {
  const choices = (o: Opt) => (o.choices ?? []).reduce((n, ch) => n + ch.name.length + String(ch.value).length, 0);
  return name.length + description.length + opts.reduce((n, o) => n + combined(o.name, o.description, o.options ?? []) + choices(o), 0);
}
