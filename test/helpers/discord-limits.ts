import { createHash } from 'node:crypto';

/** One per-route limit: `limit` requests per fixed window of `windowMs`, per major parameter. */
export interface RouteLimit {
  readonly limit: number;
  readonly windowMs: number;
}

export interface DiscordLimits {
  /** By `METHOD /route/template` (ids as `:id`, a webhook token as `:token`). */
  readonly routes: Readonly<Record<string, RouteLimit>>;
  /** For every other route. */
  readonly fallback: RouteLimit;
  /** Requests per second per bot token, across routes; interaction endpoints do not count. */
  readonly globalPerSecond: number;
}

/**
 * Discord's limits as its rate-limit docs describe them (docs/testing.md, "scale"): a bucket per
 * route and major parameter (channel, guild, or webhook id + token), and a global 50 requests per
 * second per bot. Discord publishes the global figure, not the per-route ones; these are the ones
 * its headers have long shown for messages (5 per 5 s per channel).
 */
export const DISCORD_PUBLISHED: DiscordLimits = {
  routes: {
    'POST /channels/:id/messages': { limit: 5, windowMs: 5_000 },
    'PATCH /channels/:id/messages/:id': { limit: 5, windowMs: 5_000 },
    'POST /channels/:id/messages/:id/threads': { limit: 5, windowMs: 5_000 },
    'POST /webhooks/:id/:token': { limit: 5, windowMs: 2_000 },
    'PATCH /webhooks/:id/:token/messages/:id': { limit: 5, windowMs: 2_000 },
  },
  fallback: { limit: 50, windowMs: 1_000 },
  globalPerSecond: 50,
};

/** What the double adds to an answer: the rate-limit headers, and a 429 body when the call is refused. */
export interface Verdict {
  readonly headers: Record<string, string>;
  readonly refused?: { readonly message: string; readonly retry_after: number; readonly global: boolean };
}

class Window {
  count = 0;
  resetAt = 0;
  constructor(readonly spec: RouteLimit) {}

  roll(now: number): void {
    if (now >= this.resetAt) {
      this.count = 0;
      this.resetAt = now + this.spec.windowMs;
    }
  }
}

/** Per-route and global buckets in fixed windows, as Discord reports them in its X-RateLimit-* headers. */
export class DiscordLimiter {
  readonly #windows = new Map<string, Window>();

  constructor(private readonly limits: DiscordLimits) {}

  check(method: string, route: string, auth: string | undefined, now = Date.now()): Verdict {
    const { template, major } = routeKey(route);
    const name = `${method} ${template}`;
    const who = auth ?? 'anonymous';
    const bucket = this.#window(`${name}\n${major}\n${who}`, this.limits.routes[name] ?? this.limits.fallback, now);
    const interaction = template.startsWith('/interactions/') || (template.startsWith('/webhooks/') && auth === undefined);
    const global = interaction ? undefined : this.#window(`global\n${who}`, { limit: this.limits.globalPerSecond, windowMs: 1_000 }, now);
    const headers = (w: Window) => ({
      'x-ratelimit-limit': String(w.spec.limit),
      'x-ratelimit-remaining': String(Math.max(0, w.spec.limit - w.count)),
      'x-ratelimit-reset': (w.resetAt / 1000).toFixed(3),
      'x-ratelimit-reset-after': ((w.resetAt - now) / 1000).toFixed(3),
      'x-ratelimit-bucket': createHash('sha1').update(name).digest('hex').slice(0, 32),
    });
    if (bucket.count >= bucket.spec.limit) return refuse(headers(bucket), bucket.resetAt - now, false);
    if (global && global.count >= global.spec.limit) return refuse({ ...headers(bucket), 'x-ratelimit-global': 'true' }, global.resetAt - now, true);
    bucket.count++;
    if (global) global.count++;
    return { headers: headers(bucket) };
  }

  #window(key: string, spec: RouteLimit, now: number): Window {
    let w = this.#windows.get(key);
    if (!w) this.#windows.set(key, (w = new Window(spec)));
    w.roll(now);
    return w;
  }
}

function refuse(headers: Record<string, string>, waitMs: number, global: boolean): Verdict {
  const seconds = Math.max(0.001, waitMs / 1000);
  return {
    headers: { ...headers, 'retry-after': String(Math.ceil(seconds)), 'x-ratelimit-scope': global ? 'global' : 'user' },
    refused: { message: 'You are being rate limited.', retry_after: Number(seconds.toFixed(3)), global },
  };
}

/** The route with ids as `:id` (a webhook's token as `:token`), and its major parameter, as Discord buckets them. */
export function routeKey(route: string): { template: string; major: string } {
  const webhook = /^\/webhooks\/(\d+)\/([^/]+)/.exec(route);
  const major = webhook ? `${webhook[1]}/${webhook[2]}` : (/^\/(?:channels|guilds|interactions)\/(\d+)/.exec(route)?.[1] ?? 'global');
  const template = (webhook ? route.replace(/^\/webhooks\/\d+\/[^/]+/, '/webhooks/:id/:token') : route).replace(/\d{5,}/g, ':id').replace(/\/@original$/, '/:id');
  return { template, major };
}
