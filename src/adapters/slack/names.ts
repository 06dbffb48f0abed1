import { isSlackBuiltin } from '../../words/slack-builtins.js';

/** What a command whose name Slack reserves gets in front of it: `/status` → `/ops-status` (docs/slack.md). */
export const BUILTIN_RENAME = 'ops-';

/**
 * Slack command names are shared across a workspace, so the configured prefix keeps ours apart:
 * with prefix `ops-`, the registry's `status` is `/ops-status` in Slack. A name that is one of Slack's
 * built-ins gets BUILTIN_RENAME too, since Slack refuses a manifest that declares it.
 */
export function slackCommandName(prefix: string, name: string): string {
  const plain = `${prefix}${name}`;
  return isSlackBuiltin(plain) ? `/${prefix}${BUILTIN_RENAME}${name}` : `/${plain}`;
}

/** `/ops-status` → `status`; a name without the prefix passes through so the dispatcher can refuse it. */
export function registryName(prefix: string, slashCommand: string): string {
  const bare = slashCommand.replace(/^\//, '').toLowerCase();
  const name = prefix !== '' && bare.startsWith(prefix) ? bare.slice(prefix.length) : bare;
  const renamed = name.startsWith(BUILTIN_RENAME) ? name.slice(BUILTIN_RENAME.length) : undefined;
  return renamed !== undefined && isSlackBuiltin(`${prefix}${renamed}`) ? renamed : name;
}

/**
 * The umbrella command (`/opsline status today`) reaches every command, whatever Slack did to the
 * others' names; alone, it shows help. Other commands pass through registryName.
 */
export function routeSlash(prefix: string, umbrella: string, slashCommand: string, text: string): { command: string; text: string } {
  if (slashCommand.replace(/^\//, '').toLowerCase() !== umbrella) return { command: registryName(prefix, slashCommand), text };
  const m = /^\s*\/?(\S+)\s*([\s\S]*)$/.exec(text);
  return m ? { command: (m[1] ?? '').toLowerCase(), text: m[2] ?? '' } : { command: 'help', text: '' };
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
 * Rewrites `/status` to its Slack name (`/ops-status`) in text the bot shows, so usage lines and hints
 * (written platform-free) name the commands as Slack knows them.
 */
export function commandRenamer(prefix: string, names: readonly string[]): (text: string) => string {
  const renamed = new Map(names.map((n) => [n, slackCommandName(prefix, n)] as const).filter(([n, s]) => s !== `/${n}`));
  if (renamed.size === 0) return (text) => text;
  const alternatives = [...renamed.keys()].sort((a, b) => b.length - a.length).join('|');
  const pattern = new RegExp(`(^|[\\s(\`'"])/(${alternatives})(?![\\w-])`, 'g');
  return (text) => text.replace(pattern, (_m, lead: string, name: string) => `${lead}${renamed.get(name) ?? `/${name}`}`);
}

/**
 * A command whose Slack name is the umbrella command's: the umbrella is routed first, so that command
 * would be unreachable. The issue names the key to change: the declared command's own when it is one
 * (`commands.<i>.name`), else `slack.umbrellaCommand`.
 */
export function umbrellaClash(prefix: string, umbrella: string, names: readonly string[], declared: readonly { readonly name: string }[] = []): string | undefined {
  const clash = names.find((n) => slackCommandName(prefix, n) === `/${umbrella}`);
  if (!clash) return undefined;
  const i = declared.findIndex((c) => c.name === clash);
  return i >= 0
    ? `commands.${i}.name: /${clash} is Slack's umbrella command here (slack.umbrellaCommand: ${umbrella}); choose another name`
    : `slack.umbrellaCommand: /${umbrella} is also the Slack name of the ${clash} command; choose another name`;
}
