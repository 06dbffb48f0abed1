import { REST } from '@discordjs/rest';
import { z } from 'zod';
import type { DiscordConfig } from './config.js';
import { OperatorError } from '../../core/errors.js';

/** A REST client with the bot token; `apiUrl` lets tests point it at a local double. */
export function createDiscordRest(config: DiscordConfig): REST {
  return new REST({ api: config.apiUrl, version: '10' }).setToken(config.token);
}

const created = z.object({ id: z.string().regex(/^\d{1,20}$/) });

/**
 * The id of what a REST call created (a message, a thread). Discord's answer comes from outside the
 * process, so it is parsed, not cast: an answer without an id is an error here, not an undefined later.
 */
export function createdId(answer: unknown, what: string): string {
  const r = created.safeParse(answer);
  if (!r.success) throw new OperatorError('platform_failed', `Discord answered ${what} without a message or channel id`);
  return r.data.id;
}
