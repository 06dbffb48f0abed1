import type { Redis } from 'ioredis';
import { fill, OPERATOR_ERRORS as E } from '../core/error-catalogue.js';
import { UserError } from '../core/errors.js';
import { REQUEST_PATH_TIMEOUT_MS } from './redis-timeouts.js';

/** What a command reads when Redis fails it, as the two halves of one sentence. */
export interface RedisFailure {
  /** The part of opsline that is down: "the queue", "deploy locks". */
  readonly what: string;
  /** What that means for this command when the call failed or was never answered: "nothing was queued". */
  readonly consequence: string;
  /**
   * When the call went out and no answer came, it may have run: say so instead ("job b1 may or may
   * not be queued"). Without it, `consequence` holds either way (a read, or a write not yet sent).
   */
  readonly ifSent?: string;
}

/** The call went out and no answer came: it may have run. The reply says so, and nothing must say otherwise. */
export class MaybeDoneError extends UserError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(E.redis_maybe_done.becomes, message, options);
    this.name = 'MaybeDoneError';
  }
}

const LATE = Symbol('late');

/**
 * A Redis call on a command's path, bounded: when Redis is down or does not answer within `ms`,
 * the command fails at once with `unavailable` and says whether anything was done (DESIGN: a
 * dependency that is down is `unavailable`, never an internal error). A Redis answer that is an
 * error of another kind (a script bug, a wrong type) is passed on unchanged.
 */
export async function onRedis<T>(call: Promise<T>, f: RedisFailure, ms = REQUEST_PATH_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => (timer = setTimeout(() => resolve(LATE), ms)));
  // An answer that comes after the bound is nobody's business any more, an error included.
  call.catch(() => undefined);
  try {
    const first = await Promise.race([call, late]);
    if (first === LATE) throw unavailable(f, true, `Redis did not answer within ${seconds(ms)}`);
    return first;
  } catch (err) {
    if (err instanceof UserError || !isRedisDown(err)) throw err;
    throw unavailable(f, sentBeforeFailing(err), reasonOf(err), err);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Asks Redis before a command's first call: while its connection is down (reconnecting) the answer
 * is at once "cannot be reached", and a PING it does not answer within `ms` is "did not answer".
 * Either way nothing has been sent, so `f.consequence` holds for certain.
 */
export async function reachable(redis: Redis, f: RedisFailure, ms = REQUEST_PATH_TIMEOUT_MS): Promise<void> {
  connected(redis, f);
  await onRedis(redis.ping(), { what: f.what, consequence: f.consequence }, ms);
}

/** Fails at once, with nothing sent, while the connection is down (reconnecting) rather than letting a call wait its bound. */
export function connected(redis: Redis, f: RedisFailure): void {
  if (redis.status === 'reconnecting' || redis.status === 'end' || redis.status === 'close') throw unavailable(f, false, 'Redis cannot be reached');
}

/** True for errors that mean Redis cannot be reached or cannot serve now, not that a command was wrong. */
export function isRedisDown(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  const msg = typeof e.message === 'string' ? e.message : '';
  return /^(Command timed out|Connection is closed\.?|Stream isn't writeable)/.test(msg) || /^(LOADING|READONLY|MASTERDOWN|BUSY) /.test(msg);
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

function unavailable(f: RedisFailure, sent: boolean, reason: string, cause?: unknown): UserError {
  if (sent && f.ifSent) return new MaybeDoneError(fill(E.redis_maybe_done.text, { part: f.what, ifsent: f.ifSent, why: reason }), { cause });
  return new UserError(E.redis_unavailable.becomes, fill(E.redis_unavailable.text, { part: f.what, consequence: f.consequence, why: reason }), { cause });
}

/** A timeout or a closed connection came after the call went out; a refused connection, before. */
function sentBeforeFailing(err: unknown): boolean {
  const msg = String((err as { message?: unknown }).message ?? '');
  return /^(Command timed out|Connection is closed)/.test(msg) || (err as { code?: unknown }).code === 'ECONNRESET';
}

function reasonOf(err: unknown): string {
  const e = err as { name?: unknown; code?: unknown; message?: unknown };
  if (e.name === 'MaxRetriesPerRequestError' || e.code === 'ECONNREFUSED') return 'Redis cannot be reached';
  if (String(e.message).startsWith('Command timed out')) return 'Redis did not answer in time';
  if (String(e.message).startsWith('Connection is closed')) return 'the connection to Redis closed';
  return `Redis: ${String(e.message ?? e.code).slice(0, 80)}`;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
