import type { Logger } from 'pino';
import { z } from 'zod';
import type { Config } from '../../config/schema.js';
import type { GroupMembers } from '../../core/roles/slack-groups.js';
import { boltLogger } from './bolt-logger.js';
import { slackWebClient } from './client.js';
import { OperatorError } from '../../core/errors.js';

const answer = z.object({ ok: z.literal(true), users: z.array(z.string().regex(/^[UW][A-Z0-9]+$/)) });

/**
 * `usergroups.users.list` with the bot token (scope `usergroups:read`). No retries: a failed fetch
 * keeps the last known membership for its TTL, and the next background refresh tries again.
 */
export function slackGroupMembers(cfg: NonNullable<Config['slack']>, log: Logger): GroupMembers {
  const client = slackWebClient(cfg, boltLogger(log), { retries: 0 });
  return async (team, group) => {
    const raw = await client.usergroups.users.list({ usergroup: group, team_id: team });
    const parsed = answer.safeParse(raw);
    if (!parsed.success) throw new OperatorError('platform_failed', `usergroups.users.list ${group}: unexpected answer (${raw.error ?? 'no users'})`);
    return parsed.data.users;
  };
}
