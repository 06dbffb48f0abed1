import type { AuditDecision } from './audit.js';
import type { UserError} from './errors.js';
import { toBotError } from './errors.js';

/** What one dispatcher step returns: a value, or a coded refusal with the audit decision it means. */
export type Step<T> = { ok: true; value: T } | { ok: false; error: UserError; decision: AuditDecision; usage?: string };

/**
 * Runs one pipeline step so that nothing it throws escapes the dispatcher: a throw becomes a coded
 * failure (`internal` for a bug, the error's own code for a UserError) under `decision`, so the caller
 * still gets a short reply and the invocation still gets its one audit row (docs/security.md).
 */
export async function attempt<T>(decision: AuditDecision, ref: string, run: () => Step<T> | Promise<Step<T>>, onThrow?: (err: unknown) => void): Promise<Step<T>> {
  try {
    return await run();
  } catch (err) {
    onThrow?.(err);
    return { ok: false, decision, error: toBotError(err, ref) };
  }
}
