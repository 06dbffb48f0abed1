/**
 * Slack's built-in slash commands. Slack refuses an app manifest that declares one of them ("the slash
 * command has an invalid name") and then installs none of the app's commands, so the manifest must
 * never contain them (docs/slack.md, "Command names"). The list is Slack's published built-ins plus the
 * names people report refused; an extra name here only costs a rename, a missing one costs the install.
 */
export const SLACK_BUILTINS: ReadonlySet<string> = new Set([
  'active', 'apps', 'archive', 'away', 'call', 'close', 'collapse', 'dm', 'dnd', 'expand', 'feed', 'feedback',
  'giphy', 'invite', 'invite_people', 'join', 'kick', 'leave', 'me', 'msg', 'mute', 'open', 'part',
  'prefs', 'pro', 'remind', 'remove', 'rename', 'search', 'shortcuts', 'shrug', 'star', 'status', 'topic',
  'who',
]);

/** True when `/name` (without the slash, any case) is one of Slack's own commands. */
export function isSlackBuiltin(name: string): boolean {
  return SLACK_BUILTINS.has(name.replace(/^\//, '').toLowerCase());
}
