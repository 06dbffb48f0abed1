import type { Logger } from 'pino';
import { z } from 'zod';
import { COMMAND_NAME } from '../../src/words/names.js';
import { ROLES } from '../../src/words/roles.js';
import { isSlackBuiltin } from '../../src/words/slack-builtins.js';
import { RESOLVERS } from '../../src/core/resolvers.js';
import type { CommandDef } from '../../src/core/define-command.js';
import { isPluginCommand, toCommandDef, type PluginCommand } from '../../src/core/plugin.js';

/** One plugin command as a module gave it: `where` is the module as `plugins:` names it. */
export interface Given {
  readonly where: string;
  readonly value: unknown;
}

export type PluginBuild = { readonly ok: true; readonly commands: readonly CommandDef<unknown>[] } | { readonly ok: false; readonly issues: readonly string[] };

/** Discord's rule for option names (docs/discord.md), which the Slack usage hint and /help read too. */
const ARG_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
const PROTOTYPE_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));
const role = z.enum(ROLES);

const argSpec = z.strictObject({
  name: z.string().regex(ARG_NAME, '1–32 lower-case letters, digits, - or _, starting with a letter (Discord\'s rule)').refine((n) => !PROTOTYPE_NAMES.has(n), 'a reserved name'),
  type: z.string().refine((t) => Object.hasOwn(RESOLVERS, t), `one of ${Object.keys(RESOLVERS).join(', ')}`),
  description: z.string().min(1).max(100),
  required: z.boolean().optional(),
  flag: z.boolean().optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  autocomplete: z.string().optional(),
  choices: z.array(z.string().min(1).max(100)).min(1).max(25).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  minLength: z.number().int().min(0).optional(),
  maxLength: z.number().int().min(1).optional(),
  pattern: z.instanceof(RegExp).optional(),
  patternSays: z.string().max(200).optional(),
});

/** The shape of a command made with `defineCommand` from `opsline` (src/core/plugin.ts), checked again at load. */
const pluginCommand = z.strictObject({
  name: z.string().regex(COMMAND_NAME, '1–32 lower-case letters, digits or -, starting with a letter (Discord\'s and Slack\'s rule)'),
  description: z.string().min(1, 'required').max(100, 'at most 100 characters (Discord\'s limit)'),
  usage: z.string().min(1).max(200).optional(),
  examples: z.array(z.string().max(200)).max(10).optional(),
  args: z.array(argSpec).max(25, 'at most 25 arguments (Discord\'s limit)').optional(),
  roles: z.array(role, 'a list of roles').min(1, 'name at least one role: a plugin command is denied by default'),
  sideEffects: z.boolean().optional(),
  confirm: z.union([z.boolean(), z.string().min(1).max(200)]).optional(),
  approvers: z.array(role).min(1, 'name at least one role').optional(),
  handler: z.custom<PluginCommand['handler']>((v) => typeof v === 'function', 'a function'),
});

/**
 * Checks every plugin command and the set against the names taken (built-ins, declared commands,
 * each other, Slack's own), then builds them with core's defineCommand (docs/plugins.md, "What is
 * refused at load"). Every issue names the module and the reason; nothing is built unless all pass.
 */
export function buildPlugins(given: readonly Given[], taken: { readonly builtins: readonly string[]; readonly declared: readonly string[] }, log: Logger): PluginBuild {
  const issues: string[] = [];
  const builtins = new Set(taken.builtins);
  const declared = new Set(taken.declared);
  const seen = new Map<string, string>();
  const out: CommandDef<unknown>[] = [];
  for (const { where, value } of given) {
    const say = (m: string) => issues.push(`${where}: ${m}`);
    if (!isPluginCommand(value)) {
      say('its default export is not a command made with defineCommand from opsline (or a list of them)');
      continue;
    }
    const shape = pluginCommand.safeParse({ ...value });
    if (!shape.success) {
      for (const i of shape.error.issues) say(`/${String(value.name)}: ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
      continue;
    }
    const name = value.name;
    if (builtins.has(name)) say(`/${name} is a built-in command; a plugin cannot replace it`);
    else if (declared.has(name)) say(`/${name} is declared under commands: too`);
    else if (isSlackBuiltin(name)) say(`/${name} is one of Slack's own commands; Slack would refuse the app`);
    else if (PROTOTYPE_NAMES.has(name)) say(`${name} is a reserved name`);
    else if (seen.has(name)) say(`/${name} is registered by ${seen.get(name)} too`);
    seen.set(name, seen.get(name) ?? where);
    try {
      out.push(toCommandDef(value, log.child({ plugin: where, command: name })));
    } catch (err) {
      say((err as Error).message);
    }
  }
  return issues.length ? { ok: false, issues } : { ok: true, commands: out };
}
