import type { DestinationStream } from 'pino';
import { prettyFactory } from 'pino-pretty';

/**
 * A pino destination that formats each line for people (pino-pretty, the pino project's own
 * formatter) and hands it to `write`: the console prints log lines above its prompt this way.
 * Redaction has happened by then (pino's streamWrite hook runs first, see src/log.ts).
 */
export function prettyDestination(write: (text: string) => void, colorize: boolean): DestinationStream {
  const format = prettyFactory({ colorize, translateTime: 'HH:MM:ss', ignore: 'pid,hostname' });
  return {
    write(line: string) {
      write(format(line));
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
