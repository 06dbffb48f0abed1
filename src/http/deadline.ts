import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** Slack and Discord both give up on the HTTP answer to an event or interaction after 3 s. */
export const PLATFORM_DEADLINE_MS = 3_000;

/**
 * Answers `503` if nothing has answered `req` when the platform's deadline passes, and says so at
 * error: whatever held the answer (a body that never finished arriving, a bug), the request is
 * closed rather than left open, and an operator sees it. It must never answer a request that did
 * work: the adapters ack commands and presses first, on budgets counted from the same arrival and
 * shorter than this one (docs/architecture.md, "The data flow of one command").
 */
export function answerByDeadline(req: IncomingMessage, res: ServerResponse, log: Logger, ms = PLATFORM_DEADLINE_MS): void {
  const timer = setTimeout(() => {
    if (res.headersSent) return;
    log.error({ path: req.url, ms }, 'a platform request was not answered in time; answered 503');
    res.writeHead(503).end();
  }, ms);
  timer.unref();
  res.once('close', () => clearTimeout(timer));
}
