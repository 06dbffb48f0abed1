import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPReceiver, type App, type Logger as BoltLogger, type Receiver } from '@slack/bolt';

export const EVENTS_PATH = '/slack/events';
/** Slack's replay window: a request signed more than 5 minutes from now (either way) is refused. */
const WINDOW_SEC = 5 * 60;
/** A slash command body is a few hundred bytes; anything near this is not from Slack. */
const BODY_LIMIT = '64kb';

/**
 * Bolt's HTTPReceiver does the signature check, url_verification and acks, but it wants to own a
 * port; this receiver keeps its request listener and lets the bot's one HTTP server call it.
 * start() and stop() are no-ops because the shared server's lifecycle belongs to `opsline start`.
 */
export class MountedReceiver implements Receiver {
  readonly #inner: HTTPReceiver;

  constructor(
    signingSecret: string,
    logger: BoltLogger,
    private readonly now: () => number = Date.now,
  ) {
    this.#inner = new HTTPReceiver({
      signingSecret,
      endpoints: [EVENTS_PATH],
      logger,
      processBeforeResponse: false,
      signatureVerification: true,
      bodyLimit: BODY_LIMIT,
    });
  }

  init(app: App): void {
    this.#inner.init(app);
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** The route handler for POST /slack/events. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    // Bolt refuses stale timestamps but accepts ones in the future; a replay window has two sides.
    const ts = Number(req.headers['x-slack-request-timestamp']);
    if (!Number.isFinite(ts) || Math.abs(this.now() / 1000 - ts) > WINDOW_SEC) {
      req.resume();
      res.writeHead(401).end();
      return;
    }
    this.#inner.requestListener(req, res);
  };
}
