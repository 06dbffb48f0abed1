import { fill, type ErrorCode, OPERATOR_ERRORS, type OperatorErrorCode } from './error-catalogue.js';

// The codes and what each means live in the catalogue (src/core/error-catalogue.ts, docs/errors.md).
export type { ErrorCode } from './error-catalogue.js';

/** An error whose message is safe to show to the person who caused it. */
export class UserError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
    this.code = code;
  }
}

/**
 * An error for the operator (the log, stderr, `opsline doctor`), coded from the catalogue's
 * operator part. One that a command can meet becomes the UserError its entry `becomes` where the
 * service that knows it maps it (MySQL: src/services/db/errors.ts).
 */
export class OperatorError<C extends OperatorErrorCode = OperatorErrorCode> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OperatorError';
    this.code = code;
  }
}

/**
 * Anything thrown becomes a UserError; unknown errors get a generic message and keep the original as
 * cause. A connection that failed or timed out is a dependency that is down, not a bug: `unavailable`,
 * saying that the command may not have finished. Services say more where they know more (the queue:
 * "nothing was queued"); this only catches what reaches the dispatcher unmapped.
 */
export function toBotError(err: unknown, ref?: string): UserError {
  if (err instanceof UserError) return err;
  const suffix = ref ? ` (ref ${ref})` : '';
  const down = networkFailure(err);
  if (down) return new UserError('unavailable', fill(OPERATOR_ERRORS.dependency_down.text, { why: down, ref: suffix }), { cause: err });
  return new UserError('internal', `something went wrong on our side${suffix}`, { cause: err });
}

/** `err` with what it meant for the command said too ("…; nothing was queued"); anything else stays as it is. */
export function withOutcome(err: unknown, outcome: string): unknown {
  return err instanceof UserError ? new UserError(err.code, `${err.message}; ${outcome}`, { cause: err }) : err;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** The network error code (or `timeout`) when `err`, or the error that caused it, is a connection that failed. */
function networkFailure(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    if (name === 'TimeoutError') return 'timeout';
  }
  return undefined;
}
