import { ApplicationCommandOptionType, ApplicationCommandType, InteractionContextType, type APIApplicationCommandBasicOption, type APIApplicationCommandSubcommandOption, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord-api-types/v10';
import type { ArgSpec, CommandDef } from '../../core/define-command.js';
import { maxLengthOf, resolverOf } from '../../core/resolvers.js';

const MAX_DESCRIPTION = 100;
const MAX_CHOICES = 25;
const MAX_STRING = 6000;

/** The application commands Discord should know: one per CommandDef, its subcommands as SUB_COMMAND options. */
export function applicationCommands(defs: readonly CommandDef[]): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return defs.map((c) => ({
    type: ApplicationCommandType.ChatInput,
    name: c.name,
    description: describe(c.description),
    // Threads and channel allowlists only make sense in a server, so the commands are not offered in DMs.
    contexts: [InteractionContextType.Guild],
    options: c.subcommands
      ? Object.entries(c.subcommands).map(([name, s]): APIApplicationCommandSubcommandOption => ({
          type: ApplicationCommandOptionType.Subcommand,
          name,
          description: describe(s.description),
          options: argOptions(s.args ?? []),
        }))
      : argOptions(c.args ?? []),
  }));
}

/** Discord wants required options first; the relative order of the rest is kept. */
function argOptions(args: readonly ArgSpec[]): APIApplicationCommandBasicOption[] {
  const sorted = [...args.filter((a) => a.required), ...args.filter((a) => !a.required)];
  return sorted.map(argOption);
}

/** The option type comes from the argument's resolver (src/core/resolvers.ts): a principal is Discord's user picker. */
function argOption(a: ArgSpec): APIApplicationCommandBasicOption {
  const base = { name: a.name, description: describe(a.description), required: a.required === true };
  const kind = resolverOf(a).option;
  if (kind === 'boolean') return { ...base, type: ApplicationCommandOptionType.Boolean };
  if (kind === 'user') return { ...base, type: ApplicationCommandOptionType.User };
  if (kind === 'integer') {
    return {
      ...base,
      type: ApplicationCommandOptionType.Integer,
      ...(a.min !== undefined && { min_value: a.min }),
      ...(a.max !== undefined && { max_value: a.max }),
    };
  }
  if (a.choices && a.choices.length <= MAX_CHOICES) {
    return { ...base, type: ApplicationCommandOptionType.String, choices: a.choices.map((v) => ({ name: v, value: v })) };
  }
  return {
    ...base,
    type: ApplicationCommandOptionType.String,
    // Discord refuses choices together with autocomplete, and more than 25 choices: those are completed instead.
    ...((a.autocomplete || a.choices) && { autocomplete: true }),
    ...(a.minLength !== undefined && { min_length: Math.min(a.minLength, MAX_STRING) }),
    // The same limit the resolver applies, so Discord's own input box stops the user first.
    max_length: Math.min(maxLengthOf(a) ?? MAX_STRING, MAX_STRING),
  };
}

function describe(s: string): string {
  const t = s.trim() || '-';
  return t.length > MAX_DESCRIPTION ? `${t.slice(0, MAX_DESCRIPTION - 1)}…` : t;
}
