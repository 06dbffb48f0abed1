import { Routes } from 'discord-api-types/v10';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { CommandDef } from '../../core/define-command.js';
import { applicationCommands } from './commands-json.js';
import type { DiscordConfig } from './config.js';
import { createDiscordRest } from './rest.js';

/** How the commands Discord has registered differ from this bot's (docs/discord.md, "Registering commands"). */
export interface CommandDrift {
  /** Commands of this bot that Discord does not show. */
  readonly missing: readonly string[];
  /** Commands Discord shows that this bot no longer has. */
  readonly extra: readonly string[];
  /** Commands on both sides whose description or options differ. */
  readonly changed: readonly string[];
}

// Discord's answer comes from outside the process: parsed, never cast. Only what a user sees is compared.
interface Option {
  type: number;
  name: string;
  description?: string;
  required?: boolean;
  autocomplete?: boolean;
  choices?: { name: string; value: string | number }[];
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  options?: Option[];
}
const option: z.ZodType<Option> = z.lazy(() =>
  z.object({
    type: z.number().int(),
    name: z.string(),
    description: z.string().optional(),
    required: z.boolean().optional(),
    autocomplete: z.boolean().optional(),
    choices: z.array(z.object({ name: z.string(), value: z.union([z.string(), z.number()]) })).optional(),
    min_value: z.number().optional(),
    max_value: z.number().optional(),
    min_length: z.number().optional(),
    max_length: z.number().optional(),
    options: z.array(option).optional(),
  }),
);
const registered = z.array(z.object({ name: z.string(), description: z.string(), options: z.array(option).optional() }));
type Registered = z.output<typeof registered>[number];

/** One form for both sides: Discord leaves out `required: false`, empty lists and unset limits. */
function canonical(o: Option): unknown[] {
  return [o.type, o.name, o.description ?? '', o.required === true, o.autocomplete === true, (o.choices ?? []).map((c) => [c.name, c.value]), o.min_value ?? null, o.max_value ?? null, o.min_length ?? null, o.max_length ?? null, (o.options ?? []).map(canonical)];
}
const shape = (c: Registered) => JSON.stringify([c.description, (c.options ?? []).map(canonical)]);

/** Compares what `opsline register discord` would send with what Discord has (guild commands with discord.guildId). */
export async function commandDrift(config: DiscordConfig, defs: readonly CommandDef[]): Promise<CommandDrift> {
  const rest = createDiscordRest(config);
  const route = config.guildId ? Routes.applicationGuildCommands(config.applicationId, config.guildId) : Routes.applicationCommands(config.applicationId);
  const theirs = new Map(registered.parse(await rest.get(route)).map((c) => [c.name, c]));
  const ours = new Map(registered.parse(applicationCommands(defs)).map((c) => [c.name, c]));
  return {
    missing: [...ours.keys()].filter((n) => !theirs.has(n)).sort(),
    extra: [...theirs.keys()].filter((n) => !ours.has(n)).sort(),
    changed: [...ours.values()].filter((c) => theirs.has(c.name) && shape(theirs.get(c.name)!) !== shape(c)).map((c) => c.name).sort(),
  };
}

/** The advice for a drift, or undefined when Discord shows exactly this bot's commands. */
export function driftAdvice(d: CommandDrift): string | undefined {
  const parts = [
    d.missing.length ? `not registered: ${d.missing.map((n) => `/${n}`).join(' ')}` : '',
    d.extra.length ? `registered but gone: ${d.extra.map((n) => `/${n}`).join(' ')}` : '',
    d.changed.length ? `changed: ${d.changed.map((n) => `/${n}`).join(' ')}` : '',
  ].filter(Boolean);
  return parts.length ? `Discord's commands differ from this bot's (${parts.join('; ')}): run \`opsline register discord\`` : undefined;
}

/** At start and after a reload: one warning when Discord's commands differ; a failed comparison is only logged. */
export async function warnOnDrift(config: DiscordConfig, defs: readonly CommandDef[], log: Logger): Promise<void> {
  try {
    const advice = driftAdvice(await commandDrift(config, defs));
    if (advice) log.warn(advice);
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'could not compare the commands Discord has registered with this bot’s');
  }
}
