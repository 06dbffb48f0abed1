import { createHash } from 'node:crypto';

/**
 * A short, stable name for a bot token: budget keys are per workspace (Slack) or per bot (Discord),
 * and the token identifies both without its secret ever reaching Redis or a log.
 */
export function tokenId(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}
