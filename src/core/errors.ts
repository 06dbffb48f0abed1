/** Stable error codes a user may see. Adapters and audit records use them verbatim. */
export type ErrorCode =
  | 'unknown_command'
  | 'usage'
  | 'denied'
  | 'bad_input'
  | 'not_found'
  | 'conflict'
  | 'not_configured'
  | 'unavailable'
  | 'timeout'
  | 'internal';

/** An error whose message is safe to show to the person who caused it. */
export class UserError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
    this.code = code;
  }
}

/** Anything thrown becomes a UserError; unknown errors get a generic message and keep the original as cause. */
export function toBotError(err: unknown, ref?: string): UserError {
  if (err instanceof UserError) return err;
  const suffix = ref ? ` (ref ${ref})` : '';
  return new UserError('internal', `something went wrong on our side${suffix}`, { cause: err });
}
