import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayDouble } from './discord-gateway.js';
import { DiscordLimiter, type DiscordLimits } from './discord-limits.js';
import { discordCallback, discordMessage, discordThread, issueOf } from './platform-bodies.js';
import { IDS, interactionPayload, messagePayload, userPayload, type InteractionSpec } from './discord-payloads.js';
import { until } from './until.js';

/** One REST call the bot made; `route` is the path after `/api/v10`. */
export interface RestCall {
  readonly method: string;
  readonly route: string;
  readonly body: Record<string, unknown> | undefined;
  /** The Authorization header: `Bot <token>` for bot calls, undefined for interaction webhooks. */
  readonly auth: string | undefined;
  readonly status: number;
  readonly at: number;
}

/** A message the double holds, with every text it has had (edits included). */
export interface StoredMessage {
  readonly id: string;
  readonly channelId: string;
  content: string;
  readonly history: string[];
  flags: number;
}

interface InteractionState {
  readonly id: string;
  readonly channelId: string;
  expired: boolean;
  callbackType?: number;
  original?: StoredMessage;
}

type Handler = (m: RegExpExecArray, body: Record<string, unknown> | undefined, req: IncomingMessage) => [number, unknown];

/**
 * A local stand-in for discord.com at the protocol level: REST under `/api/v10` and the gateway
 * (see GatewayDouble) on `/gateway`. It records interaction callbacks, webhook calls, thread creation
 * and channel messages, and can treat an interaction token as expired (as Discord does after 15 min).
 * Listens on port 0, so tests can run in parallel.
 */
export class DiscordDouble {
  readonly calls: RestCall[] = [];
  readonly threads: { id: string; parentId: string; messageId: string; name: string }[] = [];
  readonly messages = new Map<string, StoredMessage>();
  /**
   * Bodies that break Discord's published limits or do not read as a person reads them (a private-use
   * character, a half-written mention): test/helpers/platform-bodies.ts. `stop()` fails when any came.
   */
  readonly violations: string[] = [];
  /** Guilds sent at READY; `roles` are the guild's role ids besides @everyone (access.discordRoles tests add some). */
  readonly guilds = [{ id: IDS.guild, channels: [IDS.channel] as string[], roles: [] as string[] }];
  /** Guild members' role ids by user id, for the guild member API (GET /guilds/{guild}/members/{user}). */
  readonly memberRoles = new Map<string, string[]>();
  readonly gateway: GatewayDouble;
  readonly #interactions = new Map<string, InteractionState>();
  readonly #limits: { method: string; route: RegExp; times: number }[] = [];
  readonly #outages: { method: string; route: RegExp; status: number }[] = [];
  readonly #server: Server = createServer((req, res) => void this.#handle(req, res));
  #port = 0;
  #next = 1_200_000_000_000_000_000n;
  #enforced: DiscordLimiter | undefined;

  constructor(readonly botToken = 'test-token-for-the-bot') {
    this.gateway = new GatewayDouble(this.#server, () => this.gatewayUrl, () => this.guilds);
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.gateway.close();
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
    if (this.violations.length) throw new Error(`the Discord double received bodies Discord or its readers would not take:\n${this.violations.join('\n')}`);
  }

  /** Checks one body the bot sent against Discord's schema for its route; a failure is recorded. */
  check(method: string, route: string, body: Record<string, unknown> | undefined): string | undefined {
    const schema = /\/callback$/.test(route)
      ? discordCallback
      : /\/threads$/.test(route)
        ? discordThread
        : (method === 'POST' || method === 'PATCH') && /^\/(channels\/\d+\/messages|webhooks\/\d+\/[^/]+)(\/|$)/.test(route)
          ? discordMessage
          : undefined;
    const issue = schema && issueOf(schema.safeParse(body ?? {}));
    if (issue) this.violations.push(`${method} ${route.replace(/\/webhooks\/(\d+)\/[^/]+/, '/webhooks/$1/:token')}: ${issue} in ${JSON.stringify(body).slice(0, 300)}`);
    return issue;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.#port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.#port}/gateway`;
  }

  nextId(): string {
    return String(this.#next++);
  }

  /** Registers an interaction (its token becomes valid) and returns its payload. */
  interaction(spec: Omit<InteractionSpec, 'id' | 'token'> & { id?: string; token?: string }) {
    const id = spec.id ?? this.nextId();
    const token = spec.token ?? `itoken-${id}`;
    const payload = interactionPayload({ ...spec, id, token });
    this.#interactions.set(token, { id, channelId: payload.channel_id, expired: false });
    return payload;
  }

  /** Sends INTERACTION_CREATE over the gateway. */
  sendInteraction(spec: Parameters<DiscordDouble['interaction']>[0]) {
    const payload = this.interaction(spec);
    this.gateway.dispatch('INTERACTION_CREATE', payload);
    return payload;
  }

  /** What Discord does with an HTTP interaction's response body: the callback, without a REST call. */
  acknowledge(token: string, response: Record<string, unknown>): void {
    this.check('POST', '/interactions/http/callback', response);
    this.#callback(token, response);
  }

  /** From now on the token is refused, as Discord refuses it 15 minutes after the interaction. */
  expireToken(token: string): void {
    const i = this.#interactions.get(token);
    if (i) i.expired = true;
  }

  /** The next `times` calls matching get a 429 with a short retry_after. */
  rateLimit(method: string, route: RegExp, times = 1): void {
    this.#limits.push({ method, route, times });
  }

  /** Until `restore()`, calls matching get `status` (5xx: Discord's API down for them). */
  outage(method: string, route: RegExp, status = 503): void {
    this.#outages.push({ method, route, status });
  }

  restore(): void {
    this.#outages.length = 0;
  }

  /** From now on, per-route and global buckets (e.g. DISCORD_PUBLISHED) with X-RateLimit-* headers on every answer. */
  enforceLimits(limits: DiscordLimits): void {
    this.#enforced = new DiscordLimiter(limits);
  }

  original(token: string): StoredMessage | undefined {
    return this.#interactions.get(token)?.original;
  }

  /** Messages posted in a channel or thread, oldest first. */
  messagesIn(channelId: string): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.channelId === channelId);
  }

  callsTo(method: string, route: RegExp): RestCall[] {
    return this.calls.filter((c) => c.method === method && route.test(c.route));
  }

  /** Waits until `pred` holds (test/helpers/until.ts); the timeout error lists the calls recorded so far. */
  waitFor<T>(pred: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
    return until(pred, { timeoutMs, what: () => `${String(pred)}; calls so far:\n${this.calls.map((c) => `${c.method} ${c.route} ${c.status}`).join('\n')}` }) as Promise<T>;
  }

  #routes(): [string, RegExp, Handler][] {
    return [
      ['GET', /^\/gateway\/bot$/, () => [200, { url: this.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 } }]],
      ['POST', /^\/interactions\/(\d+)\/([^/]+)\/callback$/, (m, body) => this.#callback(m[2] ?? '', body)],
      ['PATCH', /^\/webhooks\/\d+\/([^/]+)\/messages\/@original$/, (m, body) => this.#editOriginal(m[1] ?? '', body)],
      ['GET', /^\/webhooks\/\d+\/([^/]+)\/messages\/@original$/, (m) => this.#withToken(m[1] ?? '', (i) => (i.original ? [200, this.#json(i.original)] : [404, { code: 10008, message: 'Unknown Message' }]))],
      ['DELETE', /^\/webhooks\/\d+\/([^/]+)\/messages\/@original$/, (m) => this.#withToken(m[1] ?? '', (i) => (i.original && this.messages.delete(i.original.id), [204, undefined]))],
      ['POST', /^\/webhooks\/\d+\/([^/]+)$/, (m, body) => this.#withToken(m[1] ?? '', (i) => [200, this.#json(this.#store(i.channelId, body))])],
      ['GET', /^\/guilds\/(\d+)\/members\/(\d+)$/, (m, _body, req) => this.#bot(req, () => this.#member(m[1] ?? '', m[2] ?? ''))],
      ['GET', /^\/users\/@me$/, (_m, _body, req) => this.#bot(req, () => [200, userPayload(IDS.bot, 'opsline', true)])],
      ['POST', /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/, (m, body, req) => this.#bot(req, () => this.#thread(m[1] ?? '', m[2] ?? '', body))],
      ['POST', /^\/channels\/(\d+)\/messages$/, (m, body, req) => this.#bot(req, () => [200, this.#json(this.#store(m[1] ?? '', body))])],
      ['PATCH', /^\/channels\/(\d+)\/messages\/(\d+)$/, (m, body, req) => this.#bot(req, () => this.#edit(m[2] ?? '', body))],
      ['PUT', /^\/applications\/\d+(\/guilds\/\d+)?\/commands$/, (_m, body, req) => this.#bot(req, () => [200, (body as unknown as object[]).map((c) => ({ ...c, id: this.nextId(), application_id: IDS.application, version: '1' }))])],
    ];
  }

  #member(guild: string, user: string): [number, unknown] {
    const roles = this.guilds.some((g) => g.id === guild) ? this.memberRoles.get(user) : undefined;
    if (!roles) return [404, { code: 10007, message: 'Unknown Member' }];
    return [200, { user: userPayload(user, `user${user.slice(-4)}`), roles, joined_at: new Date(0).toISOString(), deaf: false, mute: false, flags: 0 }];
  }

  #callback(token: string, body: Record<string, unknown> | undefined): [number, unknown] {
    const i = this.#interactions.get(token);
    if (!i || i.expired) return [404, { code: 10062, message: 'Unknown interaction' }];
    if (i.callbackType !== undefined) return [400, { code: 40060, message: 'Interaction has already been acknowledged.' }];
    i.callbackType = Number(body?.type);
    const data = body?.data as Record<string, unknown> | undefined;
    if (i.callbackType === 4) i.original = this.#store(i.channelId, data);
    if (i.callbackType === 5) i.original = this.#store(i.channelId, { content: '' });
    return [204, undefined];
  }

  #editOriginal(token: string, body: Record<string, unknown> | undefined): [number, unknown] {
    return this.#withToken(token, (i) => {
      if (i.callbackType === undefined) return [404, { code: 10008, message: 'Unknown Message' }];
      if (!i.original) i.original = this.#store(i.channelId, body);
      else this.#update(i.original, body);
      return [200, this.#json(i.original)];
    });
  }

  #withToken(token: string, f: (i: InteractionState) => [number, unknown]): [number, unknown] {
    const i = this.#interactions.get(token);
    if (!i) return [404, { code: 10015, message: 'Unknown Webhook' }];
    if (i.expired) return [401, { code: 50027, message: 'Invalid Webhook Token' }];
    return f(i);
  }

  #bot(req: IncomingMessage, f: () => [number, unknown]): [number, unknown] {
    return req.headers.authorization === `Bot ${this.botToken}` ? f() : [401, { code: 0, message: '401: Unauthorized' }];
  }

  #thread(parentId: string, messageId: string, body: Record<string, unknown> | undefined): [number, unknown] {
    if (!this.messages.has(messageId)) return [404, { code: 10008, message: 'Unknown Message' }];
    // As Discord: a thread cannot be started inside a thread.
    if (this.threads.some((x) => x.id === parentId)) return [400, { code: 50024, message: 'Cannot execute action on this channel type' }];
    const t = { id: this.nextId(), parentId, messageId, name: String(body?.name ?? '') };
    this.threads.push(t);
    return [201, { id: t.id, type: 11, parent_id: parentId, guild_id: IDS.guild, name: t.name }];
  }

  #edit(messageId: string, body: Record<string, unknown> | undefined): [number, unknown] {
    const m = this.messages.get(messageId);
    if (!m) return [404, { code: 10008, message: 'Unknown Message' }];
    this.#update(m, body);
    return [200, this.#json(m)];
  }

  #store(channelId: string, body: Record<string, unknown> | undefined): StoredMessage {
    const content = String(body?.content ?? '');
    const m: StoredMessage = { id: this.nextId(), channelId, content, history: [content], flags: Number(body?.flags ?? 0) };
    this.messages.set(m.id, m);
    return m;
  }

  #update(m: StoredMessage, body: Record<string, unknown> | undefined): void {
    if (body?.content !== undefined) {
      m.content = String(body.content);
      m.history.push(m.content);
    }
  }

  #json(m: StoredMessage) {
    return messagePayload(m.id, m.channelId, m.content, IDS.bot, m.flags);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    const method = req.method ?? 'GET';
    const route = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/').replace(/^\/api\/v\d+/, '');
    this.check(method, route, body);
    const verdict = this.#enforced?.check(method, route, req.headers.authorization);
    const [status, out] = verdict?.refused ? [429, verdict.refused] : this.#answer(method, route, body, req);
    this.calls.push({ method, route, body, auth: req.headers.authorization, status, at: Date.now() });
    const headers: Record<string, string> = status === 204 ? {} : { 'content-type': 'application/json' };
    Object.assign(headers, verdict?.headers);
    // What Discord sends with a per-route 429 (the manual rateLimit()): the bucket is exhausted and resets shortly.
    if (status === 429 && !verdict?.refused) {
      Object.assign(headers, {
        'retry-after': '0.05',
        'x-ratelimit-scope': 'user',
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset-after': '0.05',
        'x-ratelimit-bucket': 'double-bucket',
      });
    }
    res.writeHead(status, headers);
    res.end(status === 204 ? undefined : JSON.stringify(out));
  }

  #answer(method: string, route: string, body: Record<string, unknown> | undefined, req: IncomingMessage): [number, unknown] {
    const down = this.#outages.find((o) => o.method === method && o.route.test(route));
    if (down) return [down.status, { message: `${down.status}: Service Unavailable`, code: 0 }];
    const limit = this.#limits.find((l) => l.times > 0 && l.method === method && l.route.test(route));
    if (limit) {
      limit.times--;
      return [429, { message: 'You are being rate limited.', retry_after: 0.05, global: false }];
    }
    for (const [m, re, handler] of this.#routes()) {
      const match = m === method ? re.exec(route) : null;
      if (match) return handler(match, body, req);
    }
    return [404, { code: 0, message: `404: Not Found (${method} ${route})` }];
  }
}
