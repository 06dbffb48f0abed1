import type { DestinationStream, Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { escapeOf, UNSAFE_CHAR } from './core/printable.js';
import { createLogger, jsonSafe } from './log.js';

type Line = Record<string, unknown>;

/**
 * A pino destination that formats each line for people (pino-pretty, the pino project's own
 * formatter) and hands it to `write`: the console prints log lines above its prompt this way.
 * Redaction has happened by then (pino's streamWrite hook runs first, see src/log.ts). An audit
 * record (the trail without MySQL, src/core/audit.ts) is one line, not a block of fields.
 */
export function prettyDestination(write: (text: string) => void, colorize: boolean): DestinationStream {
  const format = prettyFactory({ colorize, translateTime: 'HH:MM:ss', ignore: 'pid,hostname,audit', messageFormat: (log, key) => message(log, key) });
  return {
    write(line: string) {
      write(format(visibleEscapes(line)));
    },
  };
}

/**
 * The logger of `opsline start`, `worker` and `agent`: JSON lines on stderr for a log collector, or
 * the same lines for people when stderr is a terminal (as the console prints them).
 */
export function processLogger(level: string, secrets: readonly string[]): Logger {
  if (!process.stderr.isTTY) return createLogger({ level, secrets });
  const destination = prettyDestination((text) => process.stderr.write(text), process.stderr.hasColors?.() === true);
  return createLogger({ level, secrets, destination });
}

/** `audit console:alice burn start: invalid, refused (usage), 12 ms`, or the line's own message. */
function message(log: Line, key: string): string {
  const msg = typeof log[key] === 'string' ? (log[key] as string) : '';
  const a = log.audit;
  if (typeof a !== 'object' || a === null) return msg;
  const r = a as Line;
  const code = typeof r.errorCode === 'string' ? ` (${r.errorCode})` : '';
  const job = typeof r.jobId === 'string' ? `, job ${r.jobId}` : '';
  return `${msg} ${String(r.principalKey)} ${String(r.command)}: ${String(r.decision)}, ${String(r.outcome)}${code}${job}, ${String(r.durationMs)} ms`;
}

/**
 * On a terminal, the default `info` is too chatty next to a prompt: it becomes `warn`, unless the
 * config file names a level (`explicit`) or the flag does.
 */
export function terminalLevel(configured: string, explicit: boolean, flag: string | undefined): string {
  return flag ?? (explicit || configured !== 'info' ? configured : 'warn');
}

const JSON_ESCAPE = /\\(u[0-9a-fA-F]{4}|[^u])/g;
const SHORT = new Map([['b', '\b'], ['f', '\f'], ['r', '\r']]);

/**
 * pino-pretty prints the values of a JSON line as they are, so an escaped ESC or CSI in a logged
 * value would reach the terminal as a control character: each unsafe character's escape becomes an
 * escaped backslash instead, and the line shows `\u001b` as text (src/core/printable.ts).
 */
export function visibleEscapes(line: string): string {
  return jsonSafe(line).replace(JSON_ESCAPE, (m, e: string) => {
    const c = e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : SHORT.get(e);
    return c !== undefined && UNSAFE_CHAR.test(c) ? `\\${escapeOf(c)}` : m;
  });
}
