import { Routes } from 'discord-api-types/v10';
import { DiscordAPIError } from '@discordjs/rest';
import type { CommandDef } from '../../core/define-command.js';
import { applicationCommands } from './commands-json.js';
import type { DiscordConfig } from './config.js';
import { createDiscordRest } from './rest.js';
import { OperatorError } from '../../core/errors.js';

/**
 * Replaces every application command with those generated from the definitions (bulk overwrite),
 * so a command removed from opsline disappears from Discord too. Guild commands update at once;
 * global ones are the default for a bot in several servers.
 */
export async function registerDiscordCommands(config: DiscordConfig, defs: readonly CommandDef[], guildId?: string): Promise<string[]> {
  const rest = createDiscordRest(config);
  const route = guildId ? Routes.applicationGuildCommands(config.applicationId, guildId) : Routes.applicationCommands(config.applicationId);
  try {
    const result = (await rest.put(route, { body: applicationCommands(defs) })) as { name: string }[];
    return result.map((c) => c.name);
  } catch (err) {
    throw new OperatorError('platform_failed', explain(err, guildId), { cause: err });
  }
}

/** The usual causes, in the words of the setup guide, instead of a bare API error. */
function explain(err: unknown, guildId: string | undefined): string {
  if (!(err instanceof DiscordAPIError)) return (err as Error).message;
  if (err.status === 401) return 'Discord refused discord.token (401): reset the bot token and update the config';
  if (err.status === 403 && guildId) return `no access to guild ${guildId} (403): add the bot with the applications.commands scope`;
  return `Discord refused the commands: ${err.message}`;
}
