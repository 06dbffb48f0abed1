import { fill, OPERATOR_ERRORS as E } from '../../core/error-catalogue.js';
import { OperatorError, UserError } from '../../core/errors.js';

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
  'mysql_deadline',
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
export class DeadlineError extends OperatorError<'mysql_deadline'> {
  constructor(ms: number) {
    super('mysql_deadline', `no answer within ${ms} ms`);
    this.name = 'DeadlineError';
  }
}

/** No pooled connection came free in time: the statement was never sent, so it certainly did not run. */
export class BusyError extends OperatorError<'mysql_busy'> {
  constructor(ms: number) {
    super('mysql_busy', `every connection stayed busy for ${ms} ms`);
    this.name = 'BusyError';
  }
}

/**
 * What a user reads when a statement fails. Connection trouble and setup mistakes get specific,
 * stable replies; anything else stays an internal error (logged with the statement name).
 */
export function toDbError(err: unknown): unknown {
  if (err instanceof BusyError) return new UserError(E.mysql_busy.becomes, fill(E.mysql_busy.text, { detail: err.message }), { cause: err });
  if (err instanceof DeadlineError) return new UserError(E.mysql_deadline.becomes, fill(E.mysql_deadline.text, { detail: err.message }), { cause: err });
  if (isConnectionError(err)) return new UserError(E.mysql_unreachable.becomes, E.mysql_unreachable.text, { cause: err });
  const code = errorCode(err);
  // The adapters refuse values longer than their columns (docs/security.md); this keeps a path they miss specific.
  if (code === 'ER_DATA_TOO_LONG') return new UserError(E.mysql_too_long.becomes, E.mysql_too_long.text, { cause: err });
  if (code && SETUP_CODES.has(code)) return new UserError(E.mysql_setup.becomes, fill(E.mysql_setup.text, { code }), { cause: err });
  return err;
}
