import type { DestinationStream } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { escapeOf, UNSAFE_CHAR } from './core/printable.js';
import { jsonSafe } from './log.js';

/**
 * A pino destination that formats each line for people (pino-pretty, the pino project's own
 * formatter) and hands it to `write`: the console prints log lines above its prompt this way.
 * Redaction has happened by then (pino's streamWrite hook runs first, see src/log.ts).
 */
export function prettyDestination(write: (text: string) => void, colorize: boolean): DestinationStream {
  const format = prettyFactory({ colorize, translateTime: 'HH:MM:ss', ignore: 'pid,hostname' });
  return {
    write(line: string) {
      write(format(visibleEscapes(line)));
    },
  };
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
