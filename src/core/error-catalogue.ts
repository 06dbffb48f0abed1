/**
 * The error catalogue: every code a user or an operator can see, its meaning and its text, in two
 * parts. Part one is the codes a command can end with: the values of `audit_log.error_code` and
 * of `Reply.code`, so a code is never renamed or removed (stored rows keep it). Part two is what
 * lies underneath (an agent's refusal, MySQL, Redis, Vault, the config), each naming the command
 * code it becomes. `npm run docs:errors` writes docs/errors.md from this file.
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

// Part two: what lies under a command's code, and what only an operator sees. A cause that reaches a
// command `becomes` one code of part one (that code is what the audit row keeps); the others end a
// process, fail a doctor line or are logged.

export interface CauseEntry {
  readonly meaning: string;
  /** The exact text, as a pattern whose `<name>`s are filled in (`fill`); code that says it uses this. */
  readonly text?: string;
  /** Where it is read, or what is read when no one text is (a message the agent wrote). */
  readonly where?: string;
  /** The command code it becomes when a command meets it; absent for what no command meets. */
  readonly becomes?: ErrorCode;
}

export interface DeviceErrorEntry extends CauseEntry {
  readonly becomes: ErrorCode;
  /** Sent by the agent in an `error` message (docs/agent.md); otherwise the bot's client says it. */
  readonly wire: boolean;
}

/**
 * Device errors: the agent's wire codes (src/protocol/ declares the same set; a test keeps them
 * equal, since core and protocol import nothing of each other) and the client's own. A
 * `DeviceError` carries one as `agentCode` next to the command code it became.
 */
export const DEVICE_ERRORS = {
  bad_request: { wire: true, becomes: 'bad_input', meaning: 'The agent could not read the request: a field missing, mistyped or out of its limits.', where: "the agent's message" },
  unsupported: { wire: true, becomes: 'not_configured', meaning: 'The agent speaks another protocol version.', where: "the agent's message" },
  bad_image: { wire: true, becomes: 'bad_input', meaning: "The image is not a valid name, not in the agent's images directory, not a regular file or not ISO 9660.", where: "the agent's message" },
  unknown_drive: { wire: true, becomes: 'not_found', meaning: "No drive of that name in the agent's config.", where: "the agent's message, with the drives it has" },
  busy: { wire: true, becomes: 'conflict', meaning: 'The drive is in use by another job, or the command is already running.', where: "the agent's message, naming the other job" },
  unknown_job: { wire: true, becomes: 'not_found', meaning: 'The agent never had this job, or no longer knows it.', text: 'agent <agent> has no job <job>' },
  not_running: { wire: true, becomes: 'conflict', meaning: 'The job has already finished.', where: "the agent's message" },
  unknown_command: { wire: true, becomes: 'not_found', meaning: "No deploy command or declared `run` command of that name in the agent's config.", where: "the agent's message, with the commands it has" },
  bad_ref: { wire: true, becomes: 'bad_input', meaning: "The ref does not match the command's pattern on the agent.", where: "the agent's message" },
  bad_args: { wire: true, becomes: 'bad_input', meaning: "A declared command's value does not fit its argument on the agent (pattern, length, a leading -, a .. segment, a control character), or an argument is unknown or missing.", where: "the agent's message, naming the argument" },
  internal: { wire: true, becomes: 'internal', meaning: 'The agent failed (it cannot write its state directory, say).', text: 'agent <agent>: <message>' },
  down: { wire: false, becomes: 'unavailable', meaning: 'The agent is not connected: not running, unreachable, or this client is closing.', text: 'agent <agent> is not reachable (<state>)' },
  refused: { wire: false, becomes: 'unavailable', meaning: "The agent refused this bot's CURVE key.", text: "agent <agent> refused this bot's key: add clientKeys.public to the agent's allowedClients" },
  timeout: { wire: false, becomes: 'timeout', meaning: 'The agent did not answer a request within its deadline.', text: 'agent <agent> did not answer <request> within <ms> ms' },
  bad_reply: { wire: false, becomes: 'internal', meaning: 'The agent answered with a shape the protocol does not allow.', text: 'agent <agent> sent a malformed answer to <request>: <why>' },
  unknown_agent: { wire: false, becomes: 'not_found', meaning: 'No agent of that name in the bot\'s `agents` config.', text: 'no agent named <agent> (known: <known>)' },
  too_large: { wire: false, becomes: 'bad_input', meaning: 'The request would be larger than an agent accepts.', text: 'the <request> request is larger than <bytes> bytes' },
  no_commands: { wire: false, becomes: 'not_configured', meaning: 'The agent is of an earlier release (protocol 1): it runs deploy commands but not declared commands.', text: 'agent <agent> does not support declared commands (it speaks protocol 1): upgrade opsline on that host' },
  bad_result: { wire: false, becomes: 'unavailable', meaning: 'A job ended with a result of the other kind (a burn result for a deploy command).', text: 'agent <agent> sent a <kind> result for job <job>' },
} as const satisfies Record<string, DeviceErrorEntry>;

export type DeviceErrorCode = keyof typeof DEVICE_ERRORS;
/** The codes an agent may send (the protocol's `AgentErrorCode`, checked equal in the tests). */
export type WireErrorCode = { [K in DeviceErrorCode]: (typeof DEVICE_ERRORS)[K]['wire'] extends true ? K : never }[DeviceErrorCode];

/** Vault is met at start (MySQL logins), by `opsline doctor` and `vault revoke`, and by a deploy's secrets. */
const VAULT_WHERE = 'the log, `opsline doctor`, or stderr when a process cannot start';

/** Service and operator errors: MySQL, Redis, Vault, the config, the platforms, the process. */
export const OPERATOR_ERRORS = {
  config_invalid: {
    meaning: 'The config file cannot be used: YAML errors, unknown keys, values missing or wrong, a section the subcommand needs.',
    where: 'on stderr, `invalid config <file>:` then one line per offending key path; exit status 2. A SIGHUP reload keeps the old access and logs the same list.',
  },
  manifest_invalid: { meaning: 'Slack would refuse the manifest generated from the commands.', where: 'on stderr, `Slack would refuse this manifest:` and every reason; exit status 2' },
  check_failed: { meaning: '`opsline doctor` found a dependency it cannot use.', where: "the check's line, `FAIL <check>  <reason and likely fix>`; exit status 1" },
  mysql_unreachable: { becomes: 'unavailable', meaning: 'MySQL cannot be reached, the connection died or the login was refused.', text: 'database unavailable (cannot reach MySQL); try again shortly' },
  mysql_busy: { becomes: 'unavailable', meaning: 'Every pooled connection stayed busy: the statement was never sent.', text: 'database busy (<detail>); nothing was sent, try again shortly' },
  mysql_deadline: { becomes: 'unavailable', meaning: 'The statement got no answer within `mysql.timeoutMs`.', text: 'database unavailable (<detail>)' },
  mysql_too_long: { becomes: 'bad_input', meaning: 'A value is longer than its column.', text: 'a value is too long to be stored; nothing was saved' },
  mysql_setup: { becomes: 'not_configured', meaning: 'A configured table or column does not exist, or the bot\'s user lacks a grant on it.', text: 'database setup problem (<code>): check the table names and grants (docs/security.md)' },
  mysql_login_rejected: { meaning: 'New MySQL credentials from Vault do not log in: the new lease is revoked, the old login is kept while it lasts, and the rotation is tried again with a growing pause.', text: 'new credentials for <user> do not work: <why>', where: 'the log (`could not get new mysql credentials from Vault`)' },
  migrate_locked: { meaning: 'Another `opsline migrate` holds the migration lock.', text: 'another opsline migrate is running (lock not acquired within <seconds> s)', where: 'stderr of `opsline migrate`; exit status 1' },
  redis_unavailable: { becomes: 'unavailable', meaning: 'Redis cannot be reached or did not answer in time, before anything was sent.', text: '<part> is unavailable; <consequence> (<why>)', where: 'the reply; `<part>` is the queue, deploy locks, confirmations…' },
  redis_maybe_done: { becomes: 'unavailable', meaning: 'Redis stopped answering after a write went out: it may have been done.', text: '<part> is unavailable; <ifsent> (<why>)', where: 'the reply; `<ifsent>` says what may have happened (`job b1 may or may not be queued`)' },
  dependency_down: { becomes: 'unavailable', meaning: 'A connection failed where no service put it into words.', text: 'a service this command needs did not answer (<why>); it may not have finished<ref>', where: 'the reply; `<ref>` is ` (ref <invocation id>)`' },
  vault_unreachable: { meaning: 'Vault cannot be reached.', text: 'Vault at <addr> is unreachable (<what>): <why>', where: VAULT_WHERE },
  vault_refused: { meaning: 'Vault refused the token or the policy does not allow the call (403).', text: 'Vault at <addr> refused <what>: <why><hint>', where: VAULT_WHERE + '; `<hint>` is ` — <the likely fix>` where one is known' },
  vault_failed: { meaning: 'Vault answered with another error, or with an answer the bot cannot use.', text: 'Vault at <addr>: <what> failed (HTTP <status>: <why>)', where: VAULT_WHERE },
  platform_failed: { meaning: 'Slack or Discord answered a call unexpectedly, or refused it.', where: 'the log, or stderr for `opsline register discord`: what the platform said and the likely fix' },
  post_unroutable: { meaning: 'A scheduled post or alert is for a platform no process can post to (no adapter here, and no Redis to hand it on).', text: 'this process cannot post to <platform>, and without Redis no other process can take the post', where: 'the log of the process that ran the schedule' },
  worker_stopping: { meaning: 'This worker stopped while it ran a job; the job stays active and the next worker re-attaches.', where: 'the log only; the thread is not told the job failed' },
  demo_unavailable: { meaning: 'The demo cannot make its sample image (xorriso is missing).', where: 'on stderr: `opsline: burns, images, drives and deploys are off in this demo: <why>`' },
} as const satisfies Record<string, CauseEntry>;

export type OperatorErrorCode = keyof typeof OPERATOR_ERRORS;
