import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { HTTPModuleFunctions, HTTPReceiver, type App, type Logger as BoltLogger, type Receiver } from '@slack/bolt';
import type { SeenKeys } from '../../services/seen-keys.js';
import { readInbound, type BlockActionsIn, type SlashCommandIn } from './inbound.js';
import { signedBySlack } from './signature.js';
import { EVENTS_PATH } from './events-path.js';
import { respondVia } from './respond.js';
import { answerByDeadline } from '../../http/deadline.js';
import type { SlackMessage } from './render.js';

/** Slack's replay window: a request signed more than 5 minutes from now (either way) is refused. */
const WINDOW_SEC = 5 * 60;
/** A slash command body is a few hundred bytes; anything near this is not from Slack. */
const BODY_LIMIT = 64 * 1024;

/** How a verified request is answered: the HTTP response (once), then its response_url. */
export interface DirectIO {
  readonly ack: (msg?: SlackMessage) => Promise<void>;
  readonly respond: (msg: SlackMessage & { replace_original?: boolean }) => Promise<unknown>;
  readonly retryNum: number | undefined;
  /** When the request arrived (ms since the epoch): Slack's 3 s count from here. */
  readonly arrivedAt: number;
  /** False for the same signed bytes again: nothing may run. Awaited inside the ack budget, not before it. */
  readonly fresh?: () => Promise<boolean>;
}

/** What opsline runs itself, with the body exactly as `readInbound` read it. */
export interface DirectRoutes {
  command(body: SlashCommandIn, io: DirectIO): Promise<void>;
  action(body: BlockActionsIn, io: DirectIO): Promise<void>;
}

/**
 * Bolt's HTTPReceiver does url_verification and acks, but it wants to own a port; this receiver
 * keeps its request listener and lets the bot's one HTTP server call it. Before anything runs,
 * this checks the signature and the window itself and reads the body strictly against opsline's
 * schemas (src/adapters/slack/inbound.ts). Slash commands and button presses then go straight to
 * `direct` with the body as read, their arrival time and the replay check (the same signed bytes
 * again run nothing), which the route awaits inside its ack budget: Bolt would parse the same
 * bytes a second time with its own parser (which, for one, turns a repeated key into an array) and
 * walk its middleware for nothing opsline uses. Bolt answers url_verification and ssl_check=1 only;
 * anything else (Events API callbacks, other payloads) gets an empty 200 and runs nothing. start()
 * and stop() are no-ops because the shared server's lifecycle belongs to `opsline start`.
 */
export class MountedReceiver implements Receiver {
  readonly #inner: HTTPReceiver;

  constructor(
    private readonly signingSecret: string,
    /** For Bolt's HTTPReceiver and this receiver's one-line notices. */
    private readonly logger: BoltLogger,
    /** For failures, with the error and its stack. */
    private readonly log: Logger,
    /** Signed requests already seen (by a hash of timestamp and body); Redis when configured, so every replica knows. */
    private readonly seen: SeenKeys,
    private readonly direct: DirectRoutes,
    private readonly now: () => number = Date.now,
  ) {
    this.#inner = new HTTPReceiver({
      signingSecret,
      endpoints: [EVENTS_PATH],
      logger,
      processBeforeResponse: false,
      // #handle has checked signature and window already, and is the only way in: a second HMAC per
      // command would only cost (docs/security.md: the check is ours, before Bolt sees a request).
      signatureVerification: false,
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
    const arrivedAt = this.now();
    answerByDeadline(req, res, this.log);
    this.#handle(req, res, arrivedAt).catch((err: unknown) => {
      this.log.error({ err }, 'slack request failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  };

  async #handle(req: IncomingMessage, res: ServerResponse, arrivedAt: number): Promise<void> {
    // Bolt refuses stale timestamps but accepts ones in the future; a replay window has two sides.
    const tsHeader = header(req, 'x-slack-request-timestamp');
    const ts = Number(tsHeader);
    if (!tsHeader || !Number.isFinite(ts) || Math.abs(this.now() / 1000 - ts) > WINDOW_SEC) {
      req.resume();
      res.writeHead(401).end();
      return;
    }
    let buffered: Awaited<ReturnType<typeof HTTPModuleFunctions.bufferIncomingMessage>>;
    try {
      // Bolt's listener reuses these bytes (it checks for rawBody) instead of reading the stream again.
      buffered = await HTTPModuleFunctions.bufferIncomingMessage(req, BODY_LIMIT);
    } catch {
      // Read the rest before answering: a client still sending would otherwise see a reset, not the 413.
      req.resume();
      res.writeHead(413, { connection: 'close' }).end();
      return;
    }
    if (!signedBySlack(this.signingSecret, tsHeader, buffered.rawBody, header(req, 'x-slack-signature') ?? '')) {
      res.writeHead(401).end();
      return;
    }
    const inbound = readInbound(header(req, 'content-type'), buffered.rawBody.toString('utf8'));
    if (inbound.kind === 'bad') {
      this.logger.warn(`refused a signed Slack request: ${inbound.reason}`);
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(`bad request: ${inbound.reason.slice(0, 200)}\n`);
      return;
    }
    // Nothing runs for these, so there is nothing for a replay to repeat: answered at once.
    if (inbound.kind === 'bolt') return this.#inner.requestListener(buffered, res);
    if (inbound.kind === 'ignored') {
      res.writeHead(200).end();
      return;
    }
    // The same signed bytes again (within the window, which the key outlives) run nothing, with or
    // without a trigger_id: the signature covers timestamp and body, so only Slack can make a new key.
    // The check waits for Redis, so the route runs it inside its ack budget, never before the ack.
    // Hashed only when asked: a command with a trigger_id is guarded by that id instead (src/adapters/slack/command.ts).
    const fresh = async () => this.seen.firstSeen(`slack-req:${createHash('sha256').update(`${tsHeader}:`).update(buffered.rawBody).digest('hex')}`);
    const io: DirectIO = { ack: ackOnce(res), respond: respondVia(inbound.body.response_url), retryNum: HTTPModuleFunctions.extractRetryNumFromHTTPRequest(req), arrivedAt, fresh };
    await (inbound.kind === 'command' ? this.direct.command(inbound.body, io) : this.direct.action(inbound.body, io));
  }
}

/** The HTTP answer to Slack, as Bolt writes it (JSON when there is a message); a second ack is a bug. */
function ackOnce(res: ServerResponse): DirectIO['ack'] {
  return async (msg) => {
    if (res.headersSent) throw new Error('this Slack request was acknowledged already');
    HTTPModuleFunctions.buildContentResponse(res, msg);
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
