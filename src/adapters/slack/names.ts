/**
 * Slack command names are shared across a workspace, so the configured prefix keeps ours apart:
 * with prefix `ops-`, the registry's `status` is `/ops-status` in Slack.
 */
export function slackCommandName(prefix: string, name: string): string {
  return `/${prefix}${name}`;
}

/** `/ops-status` → `status`; a name without the prefix passes through so the dispatcher can refuse it. */
export function registryName(prefix: string, slashCommand: string): string {
  const bare = slashCommand.replace(/^\//, '').toLowerCase();
  return prefix !== '' && bare.startsWith(prefix) ? bare.slice(prefix.length) : bare;
}

/** `slack:<team_id>:<user_id>`: ids, never the display name, so a rename cannot change access. */
export function principalKey(teamId: string, userId: string): string {
  return `slack:${teamId}:${userId}`;
}

/** The user id part of a Slack principal key, for a `<@U…>` mention. */
export function userIdOf(key: string): string | undefined {
  const m = /^slack:[^:]+:([A-Z0-9]+)$/.exec(key);
  return m?.[1];
}

/**
 * Rewrites `/status` to `/ops-status` in text the bot shows, so usage lines and hints (written
 * platform-free, without the prefix) name the commands as Slack knows them. Identity without a prefix.
 */
export function commandRenamer(prefix: string, names: readonly string[]): (text: string) => string {
  if (prefix === '' || names.length === 0) return (text) => text;
  const alternatives = [...names].sort((a, b) => b.length - a.length).join('|');
  const pattern = new RegExp(`(^|[\\s(\`'"])/(${alternatives})(?![\\w-])`, 'g');
  return (text) => text.replace(pattern, `$1/${prefix}$2`);
}
