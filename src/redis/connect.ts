import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * Where Redis is: one server (`url`), or a Sentinel-managed primary/replica set (`sentinels` and
 * `name`; `url` then only supplies the password, database and TLS). The `redis` config section is one.
 */
export interface RedisTarget {
  readonly url?: string | undefined;
  readonly sentinels?: readonly { readonly host: string; readonly port: number }[] | undefined;
  readonly name?: string | undefined;
  readonly sentinelPassword?: string | undefined;
  /** `redis.replicaWaitMs`: see replicaWaitMs(). */
  readonly replicaWaitMs?: number | undefined;
}

/** A URL (tests, one server) or the config's `redis` section. */
export type RedisWhere = string | RedisTarget;

/**
 * How a connection fails (docs/configuration.md, "Redis connections"):
 * - `command`: calls on a chat command's path (replay keys, grants, confirmations, deploy locks,
 *   schedules, the relay's writes, the rate budget). A call that gets no answer within
 *   COMMAND_TIMEOUT_MS fails, and its caller says what that means: a hung Redis must not hold up
 *   the platform's 3 s answer.
 * - `queue`: BullMQ's Queue and the job index. Their calls on a command's path are bounded by
 *   onRedis (src/services/redis-errors.ts) with a budget per operation; the per-call timeout is a
 *   backstop for the calls off the path (heartbeats, the lost-job check) and sits above the
 *   replica wait (`WAIT`), which is a write's last step.
 * - `blocking`: BullMQ's Worker and the relay's stream readers. Their commands block on purpose
 *   (BZPOPMIN, XREAD BLOCK): no command timeout, and `maxRetriesPerRequest: null`, which BullMQ
 *   requires of a worker so its commands wait out a reconnect (a failover) instead of failing.
 * - `probe`: readiness and doctor. No offline queue and no retries: the answer is now or "down".
 */
export type RedisProfile = 'command' | 'queue' | 'blocking' | 'probe';

export const COMMAND_TIMEOUT_MS = 1_000;
export const QUEUE_COMMAND_TIMEOUT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 2_000;
/** A reconnect every 100, 200, 400 … ms, at most 1 s apart: a promoted replica is found within a second. */
const RECONNECT_MAX_MS = 1_000;

export interface ConnectOptions {
  /** Part of the connection's name (`opsline:<role>:<pid>` in CLIENT LIST): access, seen-keys, queue … */
  readonly role: string;
  readonly profile: RedisProfile;
  /** Connect on the first command, so a process that never uses this client holds no connection. */
  readonly lazy?: boolean;
  /** A shorter bound than the profile's, for a caller with its own fallback (the rate budget). */
  readonly commandTimeoutMs?: number;
  /** One attempt and no reconnects: `opsline doctor` checks once and exits. */
  readonly once?: boolean;
}

const PROFILES: Readonly<Record<RedisProfile, RedisOptions>> = {
  // Auto-pipelining: the commands a request issues in one tick (Slack's replay key and trigger id,
  // both SET NX) and those of requests arriving together go out in one socket write, not one each;
  // on the ack path those writes were most of opsline's CPU beside a bare handler (docs/testing.md).
  command: { commandTimeout: COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1, enableAutoPipelining: true },
  queue: { commandTimeout: QUEUE_COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 2 },
  blocking: { maxRetriesPerRequest: null },
  probe: { enableOfflineQueue: false, maxRetriesPerRequest: 0 },
};

/**
 * The options every opsline connection is made with, for BullMQ (which makes its own connections
 * from options: a Worker duplicates them for its blocking connection and names that one itself,
 * which is how getWorkersCount finds it) and for connectRedis.
 */
export function redisOptions(where: RedisWhere, o: ConnectOptions): RedisOptions {
  const t: RedisTarget = typeof where === 'string' ? { url: where } : where;
  const base: RedisOptions = {
    ...fromUrl(t.url),
    ...PROFILES[o.profile],
    ...(o.commandTimeoutMs !== undefined ? { commandTimeout: o.commandTimeoutMs } : {}),
    connectTimeout: CONNECT_TIMEOUT_MS,
    connectionName: `opsline:${o.role}:${process.pid}`,
    retryStrategy: o.once ? () => null : (times) => Math.min(50 * 2 ** times, RECONNECT_MAX_MS),
    ...(o.lazy ? { lazyConnect: true } : {}),
  };
  if (!t.sentinels?.length) return base;
  const { host: _h, port: _p, ...rest } = base;
  return {
    ...rest,
    sentinels: t.sentinels.map((s) => ({ host: s.host, port: s.port })),
    name: t.name ?? 'mymaster',
    ...(t.sentinelPassword ? { sentinelPassword: t.sentinelPassword } : {}),
    // A sentinel that does not answer in time is skipped for the next one.
    sentinelCommandTimeout: CONNECT_TIMEOUT_MS,
    sentinelRetryStrategy: o.once ? () => null : (times) => Math.min(100 * 2 ** times, RECONNECT_MAX_MS),
    // The failover is heard from the sentinels (+switch-master), not only when the old primary's socket dies.
    failoverDetector: true,
    // A connection that lands on a demoted primary hears READONLY: reconnect, which asks the sentinels again.
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
    ...(base.tls ? { enableTLSForSentinelMode: true } : {}),
  };
}

/**
 * Options for a BullMQ Queue or Worker. Options, not a client: BullMQ then owns (and closes) the
 * connections it makes, and a Worker's blocking duplicate gets BullMQ's own name. The schedules'
 * few queues use these; the job queues, one per lane, share clients instead (docs/hosting.md, "How
 * many Redis connections"), and BullMQ duplicates a shared client for each Worker's blocking one.
 */
export function bullConnection(where: RedisWhere, o: ConnectOptions): ConnectionOptions {
  // BullMQ's option type is ioredis's, narrowed (a retryStrategy never returns null there; ours does only with `once`).
  return redisOptions(where, o) as ConnectionOptions;
}

/** The one place a long-lived Redis client is made (lint refuses `new Redis(` elsewhere). */
export function connectRedis(where: RedisWhere, o: ConnectOptions): Redis {
  return new Redis(redisOptions(where, o));
}

/**
 * A connection that receives Redis's client-side-caching invalidations (CLIENT TRACKING … REDIRECT
 * to itself, then SUBSCRIBE __redis__:invalidate; docs/architecture.md, "Grant versions"). RESP2:
 * Redis sends a redirected invalidation as a pub/sub message only to a RESP2 connection (to a RESP3
 * one it is a push frame, which ioredis drops). No automatic resubscribe: after a reconnect the
 * owner sets tracking up again (CLIENT ID first, which a subscribed RESP2 connection cannot send),
 * and nothing sent before a reconnect is sent again on the new connection.
 * Lazy: it connects when the owner calls connect().
 */
export function connectInvalidations(where: RedisWhere, role: string): Redis {
  return new Redis({ ...redisOptions(where, { role, profile: 'command', lazy: true }), protocol: 2, autoResubscribe: false, autoResendUnfulfilledCommands: false, enableAutoPipelining: false });
}

/** A URL's host, port, credentials, database and TLS as options, so that Sentinel can use the same fields. */
function fromUrl(url: string | undefined): RedisOptions {
  if (!url) return {};
  const u = new URL(url);
  const db = u.pathname.replace(/^\//, '');
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** With sentinels, how long a write that a reply promises ("queued") waits for a replica to hold it. */
export const DEFAULT_REPLICA_WAIT_MS = 500;

/**
 * `redis.replicaWaitMs`, or 500 ms with sentinels and 0 (no wait) for one server: replication is
 * asynchronous, so a job written to a primary that dies before a replica has it is lost with it.
 */
export function replicaWaitMs(where: RedisWhere): number {
  if (typeof where === 'string') return 0;
  return where.replicaWaitMs ?? (where.sentinels?.length ? DEFAULT_REPLICA_WAIT_MS : 0);
}

/**
 * `WAIT 1 <ms>` on the connection that made the write: true once a replica holds everything this
 * connection wrote, false when none said so in time, undefined when there is nothing to wait for.
 */
export async function untilReplicated(client: Pick<Redis, 'wait'>, ms: number): Promise<boolean | undefined> {
  if (ms <= 0) return undefined;
  return (await client.wait(1, ms)) >= 1;
}

/** `host:port` or `sentinel name@host:port,…` without credentials, for logs and doctor. */
export function describeRedis(where: RedisWhere): string {
  const t: RedisTarget = typeof where === 'string' ? { url: where } : where;
  if (t.sentinels?.length) return `sentinel ${t.name ?? 'mymaster'}@${t.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
  return (t.url ?? '').replace(/\/\/[^@]*@/, '//');
}
