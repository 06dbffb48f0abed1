import { Routes } from 'discord.js';
import type { CommandDef } from '../../core/define-command.js';
import { applicationCommands } from './commands-json.js';
import type { DiscordConfig } from './env.js';
import { createDiscordRest } from './rest.js';

/**
 * Replaces every application command with those generated from the definitions (bulk overwrite),
 * so a command removed from opsline disappears from Discord too. Guild commands update at once;
 * global ones are the default for a bot in several servers.
 */
export async function registerDiscordCommands(config: DiscordConfig, defs: readonly CommandDef[], guildId?: string): Promise<string[]> {
  const rest = createDiscordRest(config);
  const route = guildId ? Routes.applicationGuildCommands(config.applicationId, guildId) : Routes.applicationCommands(config.applicationId);
  const result = (await rest.put(route, { body: applicationCommands(defs) })) as { name: string }[];
  return result.map((c) => c.name);
}
