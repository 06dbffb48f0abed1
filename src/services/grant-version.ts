import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { GrantVersion } from '../core/grants/types.js';

/**
 * A cached version counts only while the invalidation connection has shown, at most this long ago,
 * that it had received everything Redis sent it (a PING answered): a change Redis committed longer
 * ago than this is seen by every decision, whatever happened to the connection (docs/architecture.md,
 * "Grant versions").
 */
export const SYNC_MS = 100;
const INVALIDATE = '__redis__:invalidate';

/**
 * The grant version in Redis (`<prefix>:grants:version`), read once and then kept in memory while
 * Redis promises to say when it changes: client-side caching, CLIENT TRACKING in broadcast mode on a
 * connection of its own (`tracker`, made by connectInvalidations) that is subscribed to the
 * invalidations. A decision then costs no round trip. The cache is dropped on every invalidation,
 * whenever the tracker's connection closes (until tracking is set up again on the new one, every
 * read goes to Redis, and a Redis that does not answer leaves grants out: GrantRoles fails closed),
 * and it is not used once the tracker's last answered PING is older than SYNC_MS. Events:
 * `tracking` (set up on a connection), `invalidated` (Redis said the version changed), `lost`.
 */
export class TrackedGrantVersion extends EventEmitter implements GrantVersion {
  #cached: string | undefined;
  /** Bumped by every invalidation and every loss or set-up of tracking: a read begun in an older generation is not kept. */
  #generation = 0;
  /** Bumped on every close and set-up of the tracker's connection: answers from an older one prove nothing. */
  #epoch = 0;
  #live = false;
  #syncedAt = -Infinity;
  #pinging: Promise<void> | undefined;
  #connecting = false;
  #closed = false;
  /**
   * The Redis servers (INFO's run_id) the data connection and the tracker are on: a copy counts only while
   * they are the same one. Under Sentinel the two fail over each on its own; a tracker left on the old
   * primary (a network split) would otherwise vouch for a version read from the new one, and hear of no revoke.
   */
  #dataServer: string | undefined;
  #trackerServer: string | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly tracker: Redis,
    private readonly key: string,
    private readonly log: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {
    super();
    tracker.on('message', (channel: string) => {
      if (channel === INVALIDATE) this.#drop('invalidated');
    });
    tracker.on('close', () => {
      this.#epoch++;
      this.#trackerServer = undefined;
      // A PING lost with the connection is never answered: the next one must not wait for it.
      this.#pinging = undefined;
      if (this.#live && !this.#closed) this.log.warn('grant invalidations lost: every decision reads the grant version from Redis until they are back');
      this.#live = false;
      this.#drop('lost');
    });
    tracker.on('ready', () => void this.#track());
    tracker.on('error', (err: unknown) => this.log.debug({ err }, 'redis error (grant invalidations)'));
    redis.on('close', () => {
      this.#dataServer = undefined;
      this.#generation++;
      this.#cached = undefined;
    });
    redis.on('ready', () => void this.#learnDataServer());
    if (redis.status === 'ready') void this.#learnDataServer();
  }

  /** True while invalidations are set up on a live connection. */
  get tracking(): boolean {
    return this.#live;
  }

  /** The version as Redis has it now, from memory when Redis has promised to tell of a change. */
  async read(): Promise<string> {
    const known = this.#vouched();
    if (known !== undefined) return known;
    const generation = this.#generation;
    const live = this.#live;
    const v = (await this.redis.get(this.key)) ?? '0';
    // Tracking was in force before the GET was sent, on the server the GET went to, and nothing changed or broke
    // since: Redis will say when it does.
    if (live && generation === this.#generation && this.#sameServer()) this.#cached = v;
    return v;
  }

  /**
   * The cached version when it may be used for a decision now, else undefined (then `read`). The
   * first call connects the tracker: a process that makes no decision (a worker that runs no
   * schedule; its grants only reload every 30 s) holds no connection for it.
   */
  peek(): string | undefined {
    this.#connect();
    return this.#vouched();
  }

  #vouched(): string | undefined {
    if (this.#cached === undefined || !this.#live || !this.#sameServer()) return undefined;
    const age = this.now() - this.#syncedAt;
    if (age > SYNC_MS / 2) void this.sync();
    return age <= SYNC_MS ? this.#cached : undefined;
  }

  /** After a grant or a revoke here: the change, and then a PING, so every replica has been sent its invalidation before the caller is answered. */
  async bump(): Promise<void> {
    // A random step, not 1: a counter that went back (a Redis restarted without persistence, a failover to a
    // replica that missed the last bump) does not come back to a value some replica loaded its grants at,
    // which would then skip the reload (a 1 in 2^30 chance per bump). Still an integer: an older replica's INCR works.
    await this.redis.incrby(this.key, 1 + randomInt(2 ** 30));
    if (this.#live) await this.#ping();
  }

  /** Resolves once the tracker has received everything Redis sent it before now (a PING already on its way counts if sent since `peek` asked). */
  sync(): Promise<void> {
    return (this.#pinging ??= this.#ping().finally(() => (this.#pinging = undefined)));
  }

  close(): void {
    this.#closed = true;
    this.tracker.disconnect();
  }

  #connect(): void {
    if (this.#connecting || this.#closed) return;
    this.#connecting = true;
    // Failures are the 'error' events above; ioredis keeps reconnecting.
    this.tracker.connect().catch(() => undefined);
  }

  #drop(event: 'invalidated' | 'lost'): void {
    this.#generation++;
    this.#cached = undefined;
    this.emit(event);
  }

  async #ping(): Promise<void> {
    const epoch = this.#epoch;
    const sent = this.now();
    try {
      await this.tracker.ping();
      if (epoch === this.#epoch) this.#syncedAt = Math.max(this.#syncedAt, sent);
    } catch (err) {
      // No answer in time: the connection may be dead without having closed. A new one sets tracking up again.
      if (epoch !== this.#epoch || this.tracker.status !== 'ready') return;
      this.log.warn({ err }, 'grant invalidation connection did not answer; reconnecting');
      this.tracker.disconnect(true);
    }
  }

  #sameServer(): boolean {
    return this.#dataServer !== undefined && this.#dataServer === this.#trackerServer;
  }

  async #learnDataServer(): Promise<void> {
    const server = await runId(this.redis).catch(() => undefined);
    // Still the connection that was asked (no close since): the copy may count again once the tracker is on it too.
    if (this.redis.status === 'ready') this.#dataServer = server;
  }

  /** On every (re)connection: CLIENT ID, tracking redirected to this connection, then SUBSCRIBE. */
  async #track(): Promise<void> {
    const epoch = ++this.#epoch;
    this.#live = false;
    this.#generation++;
    this.#cached = undefined;
    try {
      const server = await runId(this.tracker);
      if (epoch === this.#epoch) this.#trackerServer = server;
      const id = await this.tracker.client('ID');
      await this.tracker.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id), 'BCAST', 'PREFIX', this.key);
      // Invalidations reach this connection from the moment it is subscribed: nothing cached is older.
      const subscribed = this.now();
      await this.tracker.subscribe(INVALIDATE);
      if (epoch !== this.#epoch) return;
      this.#live = true;
      this.#syncedAt = subscribed;
      this.emit('tracking');
    } catch (err) {
      if (epoch === this.#epoch) this.log.warn({ err }, 'grant invalidations not set up: every decision reads the grant version from Redis');
    }
  }
}

/** The server a connection is on: its run_id, new at every start of a Redis server (a promoted replica has its own). */
async function runId(r: Redis): Promise<string | undefined> {
  // Undefined (a server that does not say) matches nothing: no copy is kept.
  return /^run_id:([0-9a-f]+)/m.exec(await r.info('server'))?.[1];
}
