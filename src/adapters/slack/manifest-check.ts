import { isSlackBuiltin } from '../../words/slack-builtins.js';

/**
 * Slack's limits on the manifest fields opsline writes (the app manifest reference; docs/slack.md).
 * Slack rejects the whole `slash_commands` array for one bad entry, so every entry is checked here
 * before `opsline manifest slack` prints anything.
 */
export const SLACK_LIMITS = {
  appName: 35,
  appDescription: 140,
  botName: 80,
  commands: 50,
  command: 32,
  description: 2000,
  usageHint: 1000,
} as const;

// Lower-case letters, digits, - and _ after the slash: what Slack accepts for a command in every locale.
const COMMAND = /^\/[a-z0-9_-]+$/;

interface SlashEntry {
  readonly command: string;
  readonly description: string;
  readonly usage_hint?: string;
  readonly url?: string;
}

export interface CheckedManifest {
  readonly display_information: { readonly name: string; readonly description: string };
  readonly features: { readonly bot_user: { readonly display_name: string }; readonly slash_commands: readonly SlashEntry[] };
}

/** Every reason Slack would refuse the manifest; empty when it is acceptable. */
export function slackManifestProblems(m: CheckedManifest): string[] {
  const problems: string[] = [];
  const limit = (what: string, value: string, max: number, min = 1) => {
    if (value.length < min || value.length > max) problems.push(`${what} must be ${min}–${max} characters (is ${value.length})`);
  };
  limit('display_information.name', m.display_information.name, SLACK_LIMITS.appName);
  limit('display_information.description', m.display_information.description, SLACK_LIMITS.appDescription);
  limit('bot_user.display_name', m.features.bot_user.display_name, SLACK_LIMITS.botName);
  const cmds = m.features.slash_commands;
  if (cmds.length > SLACK_LIMITS.commands) problems.push(`Slack allows at most ${SLACK_LIMITS.commands} slash commands (has ${cmds.length})`);
  const seen = new Set<string>();
  for (const c of cmds) {
    if (!COMMAND.test(c.command)) problems.push(`${c.command}: only lower-case letters, digits, - and _ may follow the /`);
    if (c.command.length > SLACK_LIMITS.command) problems.push(`${c.command}: longer than ${SLACK_LIMITS.command} characters; use a shorter slack.commandPrefix`);
    if (isSlackBuiltin(c.command)) problems.push(`${c.command}: one of Slack's built-in commands, which Slack refuses`);
    if (seen.has(c.command)) problems.push(`${c.command}: declared twice (the umbrella command and a command share a name)`);
    seen.add(c.command);
    limit(`${c.command} description`, c.description, SLACK_LIMITS.description);
    if (c.usage_hint !== undefined) limit(`${c.command} usage_hint`, c.usage_hint, SLACK_LIMITS.usageHint);
  }
  return problems;
}
