import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/log.js';
import { until } from './until.js';

export interface LogCapture {
  /** The production logger (src/log.ts, with its redaction) writing into `lines`. */
  readonly log: Logger;
  /** Every line as written, after redaction. */
  readonly lines: string[];
  /** Resolves with the first line matching `pattern`, once it has been written. */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
}

/** The real logger, captured: what a test sees is exactly what would reach the log sink. */
export function captureLog(level = 'info'): LogCapture {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return {
    log: createLogger({ level, destination }),
    lines,
    waitFor: (pattern, ms = 20_000) =>
      until(() => lines.find((l) => pattern.test(l)), { timeoutMs: ms, what: () => `a log line matching ${pattern}; lines:\n${lines.join('')}` }),
  };
}
