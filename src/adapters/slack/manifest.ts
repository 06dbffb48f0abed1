import type { CommandDef } from '../../core/define-command.js';
import { OperatorError } from '../../core/errors.js';
import { EVENTS_PATH } from './events-path.js';
import { slackManifestProblems, SLACK_LIMITS, type CheckedManifest } from './manifest-check.js';
import { slackCommandName } from './names.js';

export interface ManifestOptions {
  readonly prefix: string;
  readonly mode: 'http' | 'socket';
  /** The public base URL of `opsline start` (http mode); `/slack/events` is appended. */
  readonly baseUrl?: string;
  readonly name?: string;
  /** The command that reaches every other one (slack.umbrellaCommand); default `opsline`. */
  readonly umbrella?: string;
  /** access.slackGroups is configured: the bot reads user group members (`usergroups:read`). */
  readonly userGroups?: boolean;
}

/** A manifest Slack would refuse, with every reason. */
export class ManifestError extends OperatorError<'manifest_invalid'> {
  constructor(readonly problems: readonly string[]) {
    super('manifest_invalid', `Slack would refuse this manifest:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ManifestError';
  }
}

/** Where a request URL goes when none was given: valid, obviously a placeholder. */
export const PLACEHOLDER_BASE = 'https://opsline.example.com';

/**
 * The Slack app manifest, generated from the command definitions so that Slack's command list never
 * drifts from the registry. Scopes are the two the adapter needs: `commands` to receive slash
 * commands and `chat:write` to post thread roots, replies and status edits. Throws ManifestError
 * rather than return a manifest Slack would refuse.
 */
export function slackManifest(commands: readonly CommandDef[], o: ManifestOptions): CheckedManifest & Record<string, unknown> {
  const name = o.name ?? 'opsline';
  const url = o.mode === 'http' ? requestUrl(o.baseUrl ?? PLACEHOLDER_BASE) : undefined;
  const umbrellaName = `/${o.umbrella ?? 'opsline'}`;
  const umbrella = {
    command: umbrellaName,
    ...(url ? { url } : {}),
    description: `Any opsline command: ${umbrellaName} <command> [arguments]`,
    usage_hint: '<command> [arguments], e.g. status today',
    should_escape: false,
  };
  const manifest = {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: { name, description: 'Chat-ops: status, notes, device jobs and deploys from slash commands' },
    features: {
      bot_user: { display_name: name, always_online: false },
      slash_commands: [umbrella, ...commands.map((c) => slashCommand(c, o.prefix, url))],
    },
    oauth_config: { scopes: { bot: ['commands', 'chat:write', ...(o.userGroups ? ['usergroups:read'] : [])] } },
    settings: {
      // Confirm buttons (deploys with confirm: true) come back as interactions on the same verified endpoint.
      interactivity: { is_enabled: true, ...(url ? { request_url: url } : {}) },
      org_deploy_enabled: false,
      socket_mode_enabled: o.mode === 'socket',
      token_rotation_enabled: false,
    },
  };
  const problems = slackManifestProblems(manifest);
  if (problems.length > 0) throw new ManifestError(problems);
  return manifest;
}

function slashCommand(c: CommandDef, prefix: string, url: string | undefined) {
  const hint = usageHint(c);
  return {
    command: slackCommandName(prefix, c.name),
    ...(url ? { url } : {}),
    description: c.description.slice(0, SLACK_LIMITS.description),
    ...(hint ? { usage_hint: hint.slice(0, SLACK_LIMITS.usageHint) } : {}),
    // Plain text in, so notes and refs reach commands as typed; a command that names users (/access)
    // gets `@name` as `<@U…|name>`, the only form that identifies someone.
    should_escape: c.mentions === true,
  };
}

/** `/note add <text> | list [n]` → `add <text> | list [n]`: Slack shows the hint after the command. */
function usageHint(c: CommandDef): string {
  return c.usage.replace(new RegExp(`^/${c.name}\\b\\s*`), '').trim();
}

function requestUrl(base: string): string {
  const u = new URL(base);
  if (u.protocol !== 'https:') throw new OperatorError('manifest_invalid', `Slack requires an https request URL, not ${base}`);
  const path = u.pathname.replace(/\/+$/, '');
  u.pathname = path.endsWith(EVENTS_PATH) ? path : `${path}${EVENTS_PATH}`;
  return u.toString();
}
