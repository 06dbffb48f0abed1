import { UNSAFE_CHAR } from './printable.js';
import { UserError } from './errors.js';

/**
 * Control characters other than tab and newline never belong in a command: C0 and DEL (terminal
 * escapes, NUL), C1 (U+009B is CSI) and bidi overrides; see src/core/printable.ts.
 */
export const CONTROL = UNSAFE_CHAR;

/** Refuses text with control characters, whichever way it arrived (a typed line or a platform option). */
export function refuseControl(text: string): void {
  if (CONTROL.test(text)) throw new UserError('bad_input', 'input contains control characters');
}
