import { PRINCIPAL_KEY, PRINCIPAL_KEY_MAX_LENGTH, SNOWFLAKE } from '../words/names.js';
import { UserError } from './errors.js';
import type { ArgShape, ArgValue, ResolveContext } from './resolve-context.js';

const SLACK_MENTION = /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/;
const DISCORD_MENTION = /^<@!?(\d{5,25})>$/;

/**
 * A user as an argument names them: a principal key, or a mention on the platform the command came
 * from (`<@U…>` on Slack, in the caller's own workspace; `<@id>` on Discord). Never a display name,
 * which is no identity (docs/access.md).
 */
export function principalText(spec: ArgShape, text: string, ctx?: ResolveContext): string {
  const t = text.trim();
  if (t.length > PRINCIPAL_KEY_MAX_LENGTH) throw new UserError('usage', `${spec.name} is too long (${t.length} characters, at most ${PRINCIPAL_KEY_MAX_LENGTH})`);
  if (PRINCIPAL_KEY.test(t)) return t;
  const slack = SLACK_MENTION.exec(t);
  const team = ctx && /^slack:([A-Z0-9]+):/.exec(ctx.principalKey)?.[1];
  if (slack && ctx?.platform === 'slack' && team) return `slack:${team}:${slack[1]}`;
  const discord = DISCORD_MENTION.exec(t);
  if (discord && ctx?.platform === 'discord') return `discord:${discord[1]}`;
  // Slack turns `@name` into an id only for the command itself (should_escape), not inside the umbrella.
  if (t.startsWith('@') && ctx?.platform === 'slack')
    throw new UserError('bad_input', `${t} reached me as plain text, not as a user: run /${ctx.command ?? 'the command'} itself (not through the umbrella command), or give the principal key slack:T…:U…`);
  throw new UserError('bad_input', 'name the user with a mention (@name) or a principal key (slack:T…:U…, discord:<id>, console:<user>)');
}

/** Discord's user picker sends the user's id; anything else is read as text. */
export function principalOption(spec: ArgShape, value: ArgValue, ctx?: ResolveContext): string {
  if (typeof value === 'string' && ctx?.platform === 'discord' && SNOWFLAKE.test(value)) return `discord:${value}`;
  return principalText(spec, String(value), ctx);
}
