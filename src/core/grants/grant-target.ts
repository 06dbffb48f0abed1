import type { Invocation } from '../define-command.js';
import { UserError } from '../errors.js';

const PRINCIPAL = /^(slack:[A-Z0-9]+:[A-Z0-9]+|discord:\d{5,25}|console:[^\s:]+)$/;
const SLACK_MENTION = /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/;
const DISCORD_MENTION = /^<@!?(\d{5,25})>$/;

/**
 * Whom `/access grant` names: a principal key, or a mention on the platform the command came from
 * (`<@U…>` on Slack, in the granter's own workspace; `<@id>` on Discord).
 */
export function grantee(text: string, inv: Invocation): string {
  const t = text.trim();
  if (PRINCIPAL.test(t)) return t;
  const slack = SLACK_MENTION.exec(t);
  const team = /^slack:([A-Z0-9]+):/.exec(inv.principal.key)?.[1];
  if (slack && inv.platform === 'slack' && team) return `slack:${team}:${slack[1]}`;
  const discord = DISCORD_MENTION.exec(t);
  if (discord && inv.platform === 'discord') return `discord:${discord[1]}`;
  // Slack turns `@name` into an id only for the command itself (should_escape), not inside the umbrella.
  if (t.startsWith('@') && inv.platform === 'slack')
    throw new UserError('bad_input', `${t} reached me as plain text, not as a user: run /access itself (not through the umbrella command), or give the principal key slack:T…:U…`);
  throw new UserError('bad_input', 'name the user with a mention (@name) or a principal key (slack:T…:U…, discord:<id>, console:<user>)');
}
