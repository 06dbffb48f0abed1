import { fill, OPERATOR_ERRORS as E } from '../../core/error-catalogue.js';
import { OperatorError } from '../../core/errors.js';

/**
 * A failed Vault call, described for an operator: the address, what was attempted and why it failed.
 * It never carries the underlying HTTP error, whose request config holds the token and the body
 * (an AppRole secret_id), so logging it can never leak them.
 */
export class VaultError extends OperatorError<'vault_unreachable' | 'vault_refused' | 'vault_failed'> {
  constructor(
    message: string,
    /** HTTP status, or undefined when Vault could not be reached at all. */
    readonly status: number | undefined,
    /** Vault's own words (its `errors` list) or the network error. */
    readonly reason: string,
  ) {
    super(status === undefined ? 'vault_unreachable' : status === 403 ? 'vault_refused' : 'vault_failed', message);
    this.name = 'VaultError';
  }

  /**
   * Vault answered that the lease does not exist (revoked or expired), so its MySQL user is gone.
   * Other refusals (a policy that no longer allows renewal, a sealed Vault) leave the login working
   * until its TTL runs out.
   */
  get leaseGone(): boolean {
    return (this.status === 400 || this.status === 404) && /not found/i.test(this.reason);
  }
}

interface ApiError {
  response?: { statusCode?: unknown; body?: unknown };
  code?: unknown;
  message?: unknown;
  errors?: unknown;
}

/** Why a request failed, in Vault's words when it answered, else the network error's. */
export function describeFailure(err: unknown): { status: number | undefined; reason: string } {
  const e = (err ?? {}) as ApiError;
  if (e.response && typeof e.response.statusCode === 'number') {
    const body = e.response.body as { errors?: unknown } | undefined;
    const errors = Array.isArray(body?.errors) ? body.errors.filter((x): x is string => typeof x === 'string') : [];
    // Vault wraps some messages as "1 error occurred:\n\t* permission denied\n\n".
    const words = errors.map((m) => m.replace(/^\d+ errors? occurred:\s*/, '').replace(/\s*\*\s*/g, ' ').trim()).filter(Boolean);
    // Vault answers a path with nothing there with 404 and an empty list.
    const fallback = e.response.statusCode === 404 ? 'nothing at this path' : `HTTP ${e.response.statusCode}`;
    return { status: e.response.statusCode, reason: words.join('; ') || fallback };
  }
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' && e.message ? e.message : undefined;
  // Node 20 reports a refused dual-stack connect as an AggregateError with an empty message.
  const inner = Array.isArray(e.errors) ? (e.errors[0] as ApiError | undefined) : undefined;
  const innerMessage = typeof inner?.message === 'string' ? inner.message : undefined;
  const reason = [code, message ?? innerMessage].filter(Boolean).join(': ') || 'no answer';
  return { status: undefined, reason: code === 'ECONNABORTED' ? `no answer in time (${reason})` : reason };
}

/** The operator-facing error for one failed call. */
export function vaultError(addr: string, what: string, err: unknown, hint?: string): VaultError {
  if (err instanceof VaultError) return err;
  const { status, reason } = describeFailure(err);
  const vars = { addr, what, why: reason };
  if (status === undefined) return new VaultError(fill(E.vault_unreachable.text, vars), status, reason);
  if (status === 403) return new VaultError(fill(E.vault_refused.text, { ...vars, hint: hint ? ` — ${hint}` : '' }), status, reason);
  return new VaultError(fill(E.vault_failed.text, { ...vars, status: String(status) }), status, reason);
}
