import { COMMAND_ERRORS, DEVICE_ERRORS, OPERATOR_ERRORS, type CauseEntry } from './error-catalogue.js';

/**
 * docs/errors.md, generated from the catalogue so the page and the code cannot drift:
 * `npm run docs:errors` writes it, and test/core/errors-doc.test.ts fails when it is stale.
 */
export function errorsDoc(): string {
  const out = [
    '# Errors',
    '',
    '<!-- generated from src/core/error-catalogue.ts by `npm run docs:errors`; do not edit by hand -->',
    '',
    'Every code a user or an operator can see, what it means and what is read when it happens. A user sees a',
    '[command error](#command-errors): a short reply, only to them (ephemeral), with one of the codes below; the',
    'audit row of the invocation keeps the same code. What lies underneath (an [agent](#device-errors), MySQL,',
    'Redis, Vault: [service and operator errors](#service-and-operator-errors)) becomes one of those codes when a',
    'command meets it, and is otherwise read by an operator in the log, on stderr or in `opsline doctor`.',
    '',
    'In a pattern, `<name>` stands for what the message fills in. An error without a code is a programmer\'s mistake',
    '(a command definition that breaks the rules, say; [architecture.md](architecture.md#errors)): a user who meets one',
    'reads `internal` with a reference.',
    '',
    '## Command errors',
    '',
    '`audit_log.error_code` holds exactly these codes, and `/audit` and the audit log lines show them; schedules',
    'and alerts write them too. A code is never renamed or removed, so stored rows keep their meaning; a new one',
    'is added at the end of part one of `src/core/error-catalogue.ts`. An invocation stopped before its command ran is',
    'audited with outcome `refused` (`internal`: `error`); one whose command ran and failed, with `error`.',
    '',
    '| code | meaning | reply |',
    '|---|---|---|',
    ...Object.entries(COMMAND_ERRORS).map(([code, e]) => `| \`${code}\` | ${cell(e.meaning)} | ${cell(e.reply)} |`),
    '',
    '## Device errors',
    '',
    "The agent refuses a request with an `error` message and one of the codes marked *agent* ([agent.md](agent.md#protocol-v2)",
    "has the wire format); the bot's device client says the others. The reply is the command code it becomes, with the",
    'text given, or the message the agent wrote.',
    '',
    '| code | from | becomes | meaning | text |',
    '|---|---|---|---|---|',
    ...Object.entries(DEVICE_ERRORS).map(([code, e]) => `| \`${code}\` | ${e.wire ? 'agent' : 'bot'} | \`${e.becomes}\` | ${cell(e.meaning)} | ${said(e)} |`),
    '',
    '## Service and operator errors',
    '',
    'A cause with a code under "becomes" can end a command, which replies with that code and the text shown; the',
    'others stop a process or a one-shot command, fail a line of `opsline doctor`, or are logged (a log line that',
    'carries the error whole has its `code` in `err.code`).',
    '',
    '| code | becomes | meaning | text and where it is read |',
    '|---|---|---|---|',
    ...Object.entries(OPERATOR_ERRORS).map(([code, e]) => {
      const becomes = 'becomes' in e ? `\`${e.becomes}\`` : '—';
      return `| \`${code}\` | ${becomes} | ${cell(e.meaning)} | ${said(e)} |`;
    }),
    '',
  ];
  return out.join('\n');
}

function said(e: CauseEntry): string {
  const text = e.text === undefined ? '' : `\`${e.text}\``;
  return cell([text, e.where ?? ''].filter(Boolean).join('; '));
}

/** Table cells: a pipe would end the cell. */
function cell(s: string): string {
  return s.replaceAll('|', '\\|');
}
