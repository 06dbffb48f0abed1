import { UserError } from './errors.js';

/** Control characters other than tab and newline never belong in a command (terminal escapes, NUL). */
// eslint-disable-next-line no-control-regex
export const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** Refuses text with control characters, whichever way it arrived (a typed line or a platform option). */
export function refuseControl(text: string): void {
  if (CONTROL.test(text)) throw new UserError('bad_input', 'input contains control characters');
}
