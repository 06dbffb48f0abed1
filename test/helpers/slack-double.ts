import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { issueOf, slackMethodBody } from './platform-bodies.js';
import { SlackLimiter, type SlackLimits } from './slack-limits.js';
import { until } from './until.js';

/** One recorded call: a Web API method (`chat.update`) or `response_url`. */
export interface RecordedCall {
  readonly method: string;
  readonly body: Record<string, unknown>;
  readonly at: number;
  readonly status: number;
  /** The Authorization header: which token the caller used. */
  readonly auth?: string;
  /** What the double answered (a `ts` for chat.postMessage). */
  readonly response?: Record<string, unknown>;
}

/**
 * A local stand-in for slack.com at the protocol level: the Web API (`/api/<method>`), response
 * URLs (`/commands/T1/<n>/<id>`), and Socket Mode (`apps.connections.open` → a WebSocket on `/socket`
 * that sends hello, pushes envelopes and collects the acks). Listens on port 0, so tests can run
 * in parallel.
 */
export class SlackDouble {
  readonly calls: RecordedCall[] = [];
  readonly acks: Record<string, unknown>[] = [];
  /**
   * Bodies that break Slack's published limits or do not read as a person reads them (a private-use
   * character, a half-written mention): test/helpers/platform-bodies.ts. `stop()` fails when any came.
   */
  readonly violations: string[] = [];
  readonly #limits = new Map<string, { times: number; retryAfterSec: number }>();
  /** User groups and their members, for `usergroups.users.list`; tests change them at will. */
  readonly groups = new Map<string, string[]>();
  readonly #failing = new Map<string, { error: string; status: number }>();
  readonly #holds = new Map<string, (body: Record<string, unknown>) => Promise<void> | void>();
  readonly #server: Server = createServer((req, res) => void this.#handle(req, res));
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sockets = new Set<WebSocket>();
  #ts = 1_700_000_000_000_100;
  #port = 0;
  #responseUrls = 0;
  #enforced: SlackLimiter | undefined;

  /** With `limits` (e.g. SLACK_PUBLISHED), calls beyond Slack's published rate limits are answered 429. */
  constructor(opts: { limits?: SlackLimits } = {}) {
    if (opts.limits) this.enforceLimits(opts.limits);
  }

  async start(): Promise<this> {
    this.#server.on('upgrade', (req, socket, head) => {
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        this.#sockets.add(ws);
        ws.on('close', () => this.#sockets.delete(ws));
        ws.on('message', (data) => this.acks.push(JSON.parse(String(data)) as Record<string, unknown>));
        ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'double' } }));
      });
    });
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const ws of this.#sockets) ws.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
    if (this.violations.length) throw new Error(`the Slack double received bodies Slack or its readers would not take:\n${this.violations.join('\n')}`);
  }

  /** Checks one body the bot sent (a Web API call, a response_url post, or an ack the test read). */
  check(method: string, body: Record<string, unknown>): string | undefined {
    const schema = slackMethodBody.get(method);
    const issue = schema && issueOf(schema.safeParse(body));
    if (issue) this.violations.push(`${method}: ${issue} in ${JSON.stringify(body).slice(0, 300)}`);
    return issue;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.#port}/api/`;
  }

  /** Shaped like Slack's (`/commands/<team>/<id>/<secret>`), so log redaction is tested against the real shape. */
  responseUrl(id: string): string {
    return `http://127.0.0.1:${this.#port}/commands/T1/${++this.#responseUrls}/${id}`;
  }

  get socketCount(): number {
    return this.#sockets.size;
  }

  /** The next `times` calls of `method` get 429 with Retry-After. */
  rateLimit(method: string, times: number, retryAfterSec: number): void {
    this.#limits.set(method, { times, retryAfterSec });
  }

  /** From now on, enforces `limits` per workspace (token) or channel, with fresh buckets. */
  enforceLimits(limits: SlackLimits): void {
    this.#enforced = new SlackLimiter(limits);
  }

  /** Until `heal(method)`, `method` answers `{ ok: false, error }`, with HTTP `status` (500: Slack's API down). */
  fail(method: string, error = 'fatal_error', status = 200): void {
    this.#failing.set(method, { error, status });
  }

  heal(method: string): void {
    this.#failing.delete(method);
  }

  /**
   * Until `release(method)`, `fn` runs before each call of `method` is answered (a test kills the caller
   * there, say); the call is recorded and answered as Slack would have taken it, whoever is left to read it.
   */
  hold(method: string, fn: (body: Record<string, unknown>) => Promise<void> | void): void {
    this.#holds.set(method, fn);
  }

  release(method: string): void {
    this.#holds.delete(method);
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && c.status === 200);
  }

  /** Waits until `probe` holds (test/helpers/until.ts); the timeout error lists the calls recorded so far. */
  waitFor<T>(probe: () => T | undefined | false, timeoutMs = 5_000): Promise<T> {
    return until(probe, { timeoutMs, what: () => `${String(probe)}; calls so far:\n${this.calls.map((c) => `${c.method} ${c.status}`).join('\n')}` }) as Promise<T>;
  }

  /** Pushes a Socket Mode envelope to every open socket and resolves with its ack. */
  async sendEnvelope(type: string, payload: Record<string, unknown>, envelopeId: string, retryAttempt = 0): Promise<Record<string, unknown>> {
    const msg = JSON.stringify({ type, envelope_id: envelopeId, payload, accepts_response_payload: true, retry_attempt: retryAttempt, retry_reason: '' });
    for (const ws of this.#sockets) ws.send(msg);
    return this.waitFor(() => this.acks.find((a) => a.envelope_id === envelopeId));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = path.startsWith('/api/') ? path.slice(5) : 'response_url';
    const body = parseBody(raw, req.headers['content-type'] ?? '');
    const auth = req.headers.authorization;
    this.check(method, body);
    const retryAfterSec = this.#retryAfter(method, auth ?? String(body.token), body);
    if (retryAfterSec !== undefined) {
      this.calls.push({ method, body, at: Date.now(), status: 429, auth });
      res.writeHead(429, { 'retry-after': String(retryAfterSec), 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    await this.#holds.get(method)?.(body);
    const response = this.#answer(method, body);
    const status = this.#failing.get(method)?.status ?? 200;
    this.calls.push({ method, body, at: Date.now(), status, response, auth });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(response));
  }

  /** Seconds to answer in Retry-After, or undefined (no 429): the manual `rateLimit()` first, then the enforced limits. */
  #retryAfter(method: string, token: string, body: Record<string, unknown>): number | undefined {
    const limit = this.#limits.get(method);
    if (limit && limit.times > 0) {
      limit.times -= 1;
      return limit.retryAfterSec;
    }
    const wait = this.#enforced?.check(method, token, body) ?? 0;
    return wait > 0 ? wait : undefined;
  }

  #answer(method: string, body: Record<string, unknown>): Record<string, unknown> {
    const failure = this.#failing.get(method);
    if (failure) return { ok: false, error: failure.error };
    switch (method) {
      case 'usergroups.users.list': {
        const users = this.groups.get(String(body.usergroup));
        return users ? { ok: true, users: [...users] } : { ok: false, error: 'no_such_subteam' };
      }
      case 'chat.postMessage':
        return { ok: true, channel: body.channel, ts: this.#nextTs(), message: { text: body.text } };
      case 'chat.update':
        return { ok: true, channel: body.channel, ts: body.ts, text: body.text };
      case 'apps.connections.open':
        return { ok: true, url: `ws://127.0.0.1:${this.#port}/socket` };
      case 'auth.test':
        return { ok: true, team_id: 'T1', user_id: 'UBOT', bot_id: 'BBOT' };
      case 'response_url':
        return { ok: true };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  #nextTs(): string {
    const n = String(this.#ts++);
    return `${n.slice(0, 10)}.${n.slice(10)}`;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string, type: string): Record<string, unknown> {
  if (raw === '') return {};
  if (type.includes('json')) return JSON.parse(raw) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(raw));
}

/** Slack's v0 request signature over `v0:<timestamp>:<body>`. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}
