/**
 * The error catalogue, part one: the codes a command can end with. They are the values of
 * `audit_log.error_code` and of `Reply.code`, so a code is never renamed or removed (stored rows
 * keep it); a new one is added here, and `npm run docs:errors` writes it into docs/errors.md.
 * What lies underneath (an agent's refusal, MySQL, Redis, Vault, the config) is part two,
 * src/core/error-causes.ts: each of those causes names the code it becomes here.
 */

/** One command error: what it means, and what the caller reads. */
export interface CommandErrorEntry {
  readonly meaning: string;
  /** The reply's text, as a pattern: `<…>` stands for what the message fills in. Always ephemeral. */
  readonly reply: string;
}

export const COMMAND_ERRORS = {
  unknown_command: {
    meaning: 'No command of that name: a typo, or a command this bot does not have.',
    reply: '`unknown command /<name>; did you mean /<closest>? try /help`',
  },
  usage: {
    meaning: "The words do not fit the command's grammar: a subcommand or an argument is missing, unknown or one too many.",
    reply: "`<what is wrong>. Usage: <the command's usage line>`",
  },
  denied: {
    meaning: 'The caller may not run this here: not on the allowlist, without the role the command needs, or in a channel the command is not allowed in.',
    reply: "`/<command> needs the <role> role; your key is <key> (an admin can grant it)`: the role needed and the caller's own key, so an admin can add it",
  },
  bad_input: {
    meaning: 'An argument is in its place but its value is refused: too long, control characters, not a valid image name or duration, a value too long to store.',
    reply: 'what is wrong with the value, and that nothing was changed',
  },
  not_found: {
    meaning: 'What the command names does not exist: a job, a note, an agent, a drive, an image, a deploy target, a code waiting for confirmation or approval.',
    reply: 'what was not found, often with what there is (`no agent named x (known: a1, a2)`)',
  },
  conflict: {
    meaning: 'The request clashes with what is going on: a drive busy with another job, a locked deploy target, a job that has already finished.',
    reply: 'what is in the way: the other job, the lock and its reason',
  },
  not_configured: {
    meaning: "The part of opsline this command needs is off (its config section is absent), or its setup does not match (a table or a grant is missing).",
    reply: '`status is not configured`, `storage is not configured`, or the setup problem and where to look',
  },
  unavailable: {
    meaning: 'A dependency (MySQL, Redis, Vault, an agent, a platform API) is down or did not answer in time. The command is fine; try again.',
    reply: '`<part> is unavailable; <what that meant for the command> (<why>)`: what was not done, or that it may have been done',
  },
  timeout: {
    meaning: 'An agent took the request but did not answer within its deadline; it may still act on it.',
    reply: '`agent <agent> did not answer <request> within <ms> ms`',
  },
  internal: {
    meaning: 'A bug or a failure nothing put into words. The log has the details, under the reference the reply gives.',
    reply: '`something went wrong on our side (ref <invocation id>)`',
  },
} as const satisfies Record<string, CommandErrorEntry>;

/** Stable error codes a user may see. Adapters and audit records use them verbatim. */
export type ErrorCode = keyof typeof COMMAND_ERRORS;

export const ERROR_CODES = Object.keys(COMMAND_ERRORS) as readonly ErrorCode[];

/** True for a code in the catalogue; a stored value or a caller's text is checked before it is trusted. */
export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(COMMAND_ERRORS, value);
}

/**
 * Fills a catalogue pattern: each `<name>` becomes `vars.name`. The pattern is configured text and
 * the values are data, substituted once and never read again (CONVENTIONS: templates).
 */
export function fill(pattern: string, vars: Readonly<Record<string, string>>): string {
  return pattern.replace(/<([a-z]+)>/g, (whole, name: string) => (Object.hasOwn(vars, name) ? (vars[name] ?? whole) : whole));
}
