import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/log.js';

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
  const waiters: (() => void)[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      for (const w of waiters.splice(0)) w();
      cb();
    },
  });
  return {
    log: createLogger({ level, destination }),
    lines,
    async waitFor(pattern, ms = 20_000) {
      const end = Date.now() + ms;
      for (;;) {
        const hit = lines.find((l) => pattern.test(l));
        if (hit) return hit;
        if (Date.now() > end) throw new Error(`no log line matched ${pattern}; lines:\n${lines.join('')}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
  };
}
