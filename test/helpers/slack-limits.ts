/**
 * Slack's published Web API limits, as token buckets the Slack double enforces (docs/testing.md,
 * "scale"): `chat.update` is Tier 3 (50+ per minute per workspace), `chat.postMessage` about one
 * message per second per channel with short bursts (a thread reply counts toward its channel).
 * Slack does not publish its burst sizes; the capacities here are small on purpose.
 */
export interface BucketSpec {
  /** Calls per minute, refilled continuously. */
  readonly perMinute: number;
  /** How many calls may go at once after a quiet spell. */
  readonly burst: number;
  /** `workspace`: one bucket per token; `channel`: one per token and channel. */
  readonly scope: 'workspace' | 'channel';
}

export type SlackLimits = Readonly<Record<string, BucketSpec>>;

export const SLACK_PUBLISHED: SlackLimits = {
  'chat.update': { perMinute: 50, burst: 5, scope: 'workspace' },
  'chat.postMessage': { perMinute: 60, burst: 3, scope: 'channel' },
};

/** The same limits `factor` times higher, for tests that need many calls through quickly. */
export function scaledLimits(limits: SlackLimits, factor: number): SlackLimits {
  return Object.fromEntries(Object.entries(limits).map(([m, s]) => [m, { ...s, perMinute: s.perMinute * factor, burst: Math.max(1, Math.round(s.burst * factor)) }]));
}

/** A token bucket: `burst` tokens, refilled at `perMinute`; one call takes one token. */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    private readonly spec: BucketSpec,
    now: number,
  ) {
    this.#tokens = spec.burst;
    this.#at = now;
  }

  /** Takes a token and answers 0, or answers how many ms until one is there (and takes nothing). */
  take(now: number): number {
    const perMs = this.spec.perMinute / 60_000;
    this.#tokens = Math.min(this.spec.burst, this.#tokens + (now - this.#at) * perMs);
    this.#at = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.#tokens) / perMs);
  }
}

/** Per method, per workspace (token) or channel: which calls Slack would answer 429, and for how long. */
export class SlackLimiter {
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #limits: ReadonlyMap<string, BucketSpec>;

  constructor(limits: SlackLimits) {
    this.#limits = new Map(Object.entries(limits));
  }

  /** 0 when the call is within the limit (and counted), else the wait in whole seconds for Retry-After. */
  check(method: string, token: string, body: Record<string, unknown>, now = Date.now()): number {
    const spec = this.#limits.get(method);
    if (!spec) return 0;
    const key = spec.scope === 'channel' ? `${method}\n${token}\n${String(body.channel)}` : `${method}\n${token}`;
    let bucket = this.#buckets.get(key);
    if (!bucket) this.#buckets.set(key, (bucket = new TokenBucket(spec, now)));
    const waitMs = bucket.take(now);
    return waitMs === 0 ? 0 : Math.max(1, Math.ceil(waitMs / 1000));
  }
}
