import { UserError } from '../../core/errors.js';

/** Codes that mean "the server cannot be reached or the connection died", not "the statement is wrong". */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'DEADLINE',
]);

/** Codes that mean the configured table or grants do not match what the bot expects. */
const SETUP_CODES = new Set(['ER_NO_SUCH_TABLE', 'ER_BAD_FIELD_ERROR', 'ER_BAD_DB_ERROR', 'ER_TABLEACCESS_DENIED_ERROR', 'ER_COLUMNACCESS_DENIED_ERROR']);

export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when the connection the error came from must not be reused. */
export function isConnectionError(err: unknown): boolean {
  const code = errorCode(err);
  return (code !== undefined && CONNECTION_CODES.has(code)) || (err as { fatal?: unknown } | undefined)?.fatal === true;
}

const ACCESS_DENIED_CODES = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_TABLEACCESS_DENIED_ERROR', 'ER_COLUMNACCESS_DENIED_ERROR']);

/** MySQL refused the user: wrong grants, or (with Vault) credentials that were revoked or expired. */
export function isAccessDenied(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && ACCESS_DENIED_CODES.has(code);
}

/** A deadline passed before the server answered. */
export class DeadlineError extends Error {
  readonly code = 'DEADLINE';
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/** No pooled connection came free in time: the statement was never sent, so it certainly did not run. */
export class BusyError extends Error {
  readonly code = 'BUSY';
  constructor(ms: number) {
    super(`every connection stayed busy for ${ms} ms`);
  }
}

/**
 * What a user reads when a statement fails. Connection trouble and setup mistakes get specific,
 * stable replies; anything else stays an internal error (logged with the statement name).
 */
export function toDbError(err: unknown): unknown {
  if (err instanceof BusyError) return new UserError('unavailable', `database busy (${err.message}); nothing was sent, try again shortly`, { cause: err });
  if (err instanceof DeadlineError) return new UserError('unavailable', `database unavailable (${err.message})`, { cause: err });
  if (isConnectionError(err)) return new UserError('unavailable', 'database unavailable (cannot reach MySQL); try again shortly', { cause: err });
  const code = errorCode(err);
  // The adapters refuse values longer than their columns (docs/security.md); this keeps a path they miss specific.
  if (code === 'ER_DATA_TOO_LONG') return new UserError('bad_input', 'a value is too long to be stored; nothing was saved', { cause: err });
  if (code && SETUP_CODES.has(code))
    return new UserError('not_configured', `database setup problem (${code}): check the table names and grants (docs/security.md)`, { cause: err });
  return err;
}
