import type { IncomingMessage, ServerResponse } from 'node:http';
import { InteractionResponseType, InteractionType } from 'discord-api-types/v10';
import { answerByDeadline } from '../../http/deadline.js';
import { text, type HttpServer } from '../../http/server.js';
import { RecentKeys, type SeenKeys } from '../../services/seen-keys.js';
import type { Adapter, DispatchFn } from '../types.js';
import { handleAutocomplete } from './autocomplete.js';
import type { Incoming, InteractionEnv } from './env.js';
import { handleCommand } from './handle-command.js';
import { checkIncoming, incomingFrom, interactionPayload } from './payload.js';
import type { Responder } from './session.js';
import type { Verifier } from './verify.js';

export const INTERACTIONS_PATH = '/discord/interactions';
const MAX_BODY = 1024 * 1024;

/**
 * HTTP interactions: Discord POSTs each interaction to `/discord/interactions`. The signature is
 * checked over the raw bytes before anything is parsed; the first answer is the HTTP response, so
 * any replica behind a load balancer can take any request.
 */
export class DiscordHttpAdapter implements Adapter {
  readonly name = 'discord';
  #dispatch: DispatchFn | undefined;

  constructor(
    http: HttpServer,
    private readonly verify: Verifier,
    private readonly env: InteractionEnv,
    /** Interaction ids already handled: a replayed signed request (within the 5-minute window) runs nothing. */
    private readonly seen: SeenKeys = new RecentKeys(),
  ) {
    http.route('POST', INTERACTIONS_PATH, (req, res) => {
      // Discord's 3 s count from here: the deferral is timed from this moment, not from the end of any check.
      const arrivedAt = new Date();
      answerByDeadline(req, res, env.log);
      return this.#handle(req, res, arrivedAt);
    });
  }

  async start(dispatch: DispatchFn): Promise<void> {
    this.#dispatch = dispatch;
  }

  async stop(): Promise<void> {
    this.#dispatch = undefined;
    this.seen.close?.();
  }

  async #handle(req: IncomingMessage, res: ServerResponse, arrivedAt: Date): Promise<void> {
    const body = await readBody(req);
    if (!body) return text(res, 413, 'request too large\n');
    if (!this.verify(header(req, 'x-signature-ed25519'), header(req, 'x-signature-timestamp'), body)) {
      return text(res, 401, 'invalid request signature\n');
    }
    const parsed = interactionPayload.safeParse(safeJson(body));
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return text(res, 400, `bad interaction payload${i ? ` (${i.path.join('.')}: ${i.message})` : ''}\n`);
    }
    const p = parsed.data;
    if (p.type === InteractionType.Ping) return json(res, { type: InteractionResponseType.Pong });
    const dispatch = this.#dispatch;
    if (!dispatch) return text(res, 503, 'not started\n');
    const found = incomingFrom(p, arrivedAt);
    if (!found) return text(res, 400, 'unsupported interaction\n');
    const checked = checkIncoming(found);
    if ('bad' in checked) return text(res, 400, `bad interaction payload (${checked.bad})\n`);
    const inc = checked.ok;
    // A replayed signed request runs nothing; the check waits for Redis, so it runs inside the deferral budget.
    const fresh = () => Promise.resolve(this.seen.firstSeen(`discord:${p.id}`));
    if (p.type === InteractionType.ApplicationCommand && (p.data?.type ?? 1) === 1) {
      return this.#answer(res, inc, (r) => handleCommand(inc, r, dispatch, this.env, fresh));
    }
    if (p.type === InteractionType.ApplicationCommandAutocomplete) return this.#answer(res, inc, (r) => handleAutocomplete(inc, r, this.env));
    // Only the Confirm button gets this far (incomingFrom refuses other components).
    if (p.type === InteractionType.MessageComponent) return this.#answer(res, inc, (r) => handleCommand(inc, r, dispatch, this.env, fresh));
    return text(res, 400, 'unsupported interaction\n');
  }

  /** Waits until the first answer is written; the rest of the work (follow-ups, threads) goes on after. */
  async #answer(res: ServerResponse, inc: Incoming, work: (r: Responder) => Promise<'replayed' | undefined | void>): Promise<void> {
    let answered!: () => void;
    const sent = new Promise<void>((resolve) => (answered = resolve));
    const responder: Responder = {
      async callback(body) {
        if (res.headersSent) throw new Error('this interaction was already answered');
        json(res, body);
        answered();
      },
    };
    const done = work(responder).catch((err: unknown) => void this.env.log.error({ err, interactionId: inc.id }, 'discord interaction failed'));
    const first = await Promise.race([sent, done]);
    if (!res.headersSent) text(res, first === 'replayed' ? 409 : 500, first === 'replayed' ? 'interaction already handled\n' : 'no answer\n');
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function safeJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The raw bytes, which the signature covers; undefined when the body is larger than any interaction. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Past the limit, keep reading (up to a bound) so the client gets the 413 rather than a reset.
    if (size > 8 * MAX_BODY) return undefined;
    if (size <= MAX_BODY) chunks.push(chunk);
  }
  return size > MAX_BODY ? undefined : Buffer.concat(chunks);
}
