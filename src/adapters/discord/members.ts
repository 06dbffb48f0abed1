import { REST } from '@discordjs/rest';
import { UserError } from '../../core/errors.js';
import { Routes } from 'discord-api-types/v10';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { MemberRoles } from '../../core/roles/discord-roles.js';
import type { DiscordConfig } from './config.js';

const member = z.object({ roles: z.array(z.string().regex(/^\d{1,25}$/)).max(500) });

/**
 * The guild member API (GET /guilds/{guild}/members/{user}, bot token; no privileged intent) for
 * access.discordRoles on the web, where no interaction brings the member's roles (docs/web.md, "Roles on
 * the web"). No retries and a short timeout: a failure leaves those roles unchecked for this request,
 * and the page says so.
 */
export function discordMemberRoles(cfg: DiscordConfig, log: Logger): MemberRoles {
  const rest = new REST({ api: cfg.apiUrl, version: '10', retries: 0, timeout: 5000 }).setToken(cfg.token);
  return async (guild, user) => {
    try {
      const parsed = member.safeParse(await rest.get(Routes.guildMember(guild, user)));
      if (!parsed.success) throw new UserError('unavailable', 'Discord answered the guild member request without a roles list');
      return parsed.data.roles;
    } catch (err) {
      log.warn({ err, guild }, 'discord guild member roles not read; access.discordRoles are unchecked for this request');
      throw err;
    }
  };
}
