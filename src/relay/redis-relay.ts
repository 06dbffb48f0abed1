import type { Redis } from 'ioredis';
import { connectRedis, type RedisTarget } from '../redis/connect.js';
import type { Logger } from 'pino';
import type { ThreadRef } from '../core/thread.js';
import { parseBroadcast, parseEntry, positionOf, threadKey, type EntryHandler, type Following, type RelayUpdate, type ThreadRelay } from './entry.js';

/** Where Redis is (`url`, or `sentinels` and `name`: the config's `redis` section spreads in). */
export interface RedisRelayOptions extends RedisTarget {
  readonly prefix: string;
  readonly origin: string;
  readonly log: Logger;
  /** Entries kept per thread (approximately: Redis trims in whole nodes). */
  readonly maxLen?: number;
  /** Seconds a thread's backlog outlives its last update. */
  readonly ttlSec?: number;
}

/**
 * The relay on Redis Streams, one stream per thread. A stream (unlike pub/sub) lets a reader that
 * comes late, the owner starting to read after the job began or a watcher, replay what it missed;
 * MAXLEN and EXPIRE bound it, and XADD never waits for a reader, so a console that went away costs
 * the worker one bounded stream that expires.
 */
export class RedisRelay implements ThreadRelay {
  readonly origin: string;
  readonly #redis: Redis;
  readonly #readers = new Set<Redis>();
  readonly #maxLen: number;
  readonly #ttl: number;
  #closed = false;

  constructor(private readonly opts: RedisRelayOptions) {
    this.origin = opts.origin;
    this.#maxLen = opts.maxLen ?? 500;
    this.#ttl = opts.ttlSec ?? 86_400;
    this.#redis = connectRedis(opts, { role: 'relay', profile: 'command' });
    this.#redis.on('error', (err) => opts.log.debug({ err }, 'relay redis error'));
  }

  publish(ref: ThreadRef, update: RelayUpdate): void {
    if (this.#closed) return;
    const key = this.#key(ref);
    const raw = JSON.stringify({ o: this.origin, ...update });
    void this.#redis
      .multi()
      .xadd(key, 'MAXLEN', '~', String(this.#maxLen), '*', 'e', raw)
      .expire(key, this.#ttl)
      .exec()
      .catch((err: unknown) => this.opts.log.debug({ err }, 'thread update not relayed'));
  }

  follow(ref: ThreadRef, onEntry: EntryHandler, after?: string): Following {
    const key = this.#key(ref);
    // A blocking read holds its connection: each followed thread gets its own, closed when it ends;
    // the blocking profile has no command timeout, which would cut XREAD BLOCK short.
    const reader = connectRedis(this.opts, { role: 'relay-reader', profile: 'blocking' });
    reader.on('error', (err) => this.opts.log.debug({ err }, 'relay reader error'));
    this.#readers.add(reader);
    let stopped = false;
    const stop = () => {
      stopped = true;
      reader.disconnect();
    };
    const done = (async () => {
      // XREAD gives what comes after an id, whether or not that entry is still kept.
      let last = positionOf(after) ?? '0';
      while (!stopped && !this.#closed) {
        let res: [string, [string, string[]][]][] | null;
        try {
          res = (await reader.xread('COUNT', 100, 'BLOCK', 2000, 'STREAMS', key, last)) as typeof res;
        } catch (err) {
          if (stopped || this.#closed) break;
          this.opts.log.debug({ err }, 'relay read failed; retrying');
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
        for (const [id, fields] of res?.[0]?.[1] ?? []) {
          last = id;
          const entry = fields[0] === 'e' && fields[1] !== undefined ? parseEntry(fields[1]) : undefined;
          if (!entry) {
            this.opts.log.warn({ key, id }, 'dropped a relayed thread update that does not fit the schema');
            continue;
          }
          if (await onEntry(entry, id)) {
            stopped = true;
            break;
          }
        }
      }
      this.#readers.delete(reader);
      reader.disconnect();
    })();
    return { stop, done };
  }

  broadcast(topic: string, text: string): void {
    if (this.#closed) return;
    void this.#redis
      .publish(this.#topic(topic), JSON.stringify({ o: this.origin, text }))
      .catch((err: unknown) => this.opts.log.debug({ err, topic }, 'broadcast not sent'));
  }

  /** Pub/sub, not a stream: a broadcast is for whoever listens now, and a listener that comes later wants none of the old ones. */
  async listen(topic: string, onText: (text: string) => void): Promise<() => void> {
    const sub = connectRedis(this.opts, { role: 'relay-listener', profile: 'blocking' });
    sub.on('error', (err) => this.opts.log.debug({ err }, 'broadcast listener error'));
    this.#readers.add(sub);
    const channel = this.#topic(topic);
    sub.on('message', (from: string, raw: string) => {
      const text = from === channel ? parseBroadcast(raw, this.origin) : undefined;
      if (text !== undefined) onText(text);
    });
    await sub.subscribe(channel).catch((err: unknown) => this.opts.log.warn({ err, topic }, 'could not listen for broadcasts'));
    return () => {
      this.#readers.delete(sub);
      sub.disconnect();
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const r of this.#readers) r.disconnect();
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  #topic(topic: string): string {
    return `${this.opts.prefix}:broadcast:${topic}`;
  }

  #key(ref: ThreadRef): string {
    return `${this.opts.prefix}:thread:${threadKey(ref)}`;
  }
}
