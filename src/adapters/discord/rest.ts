import { REST } from 'discord.js';
import type { DiscordConfig } from './env.js';

/** A REST client with the bot token; `apiUrl` lets tests point it at a local double. */
export function createDiscordRest(config: DiscordConfig): REST {
  return new REST({ api: config.apiUrl, version: '10' }).setToken(config.token);
}
