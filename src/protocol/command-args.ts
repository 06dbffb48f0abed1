import { z } from 'zod';

/**
 * Typed values for a declared `run` command (docs/agent.md, "Declared commands"). Both ends call
 * `argValueProblem` with the same rule: the bot before anything is queued, the agent before anything
 * is spawned. A value is always exactly one argv element; these checks keep it from being read as
 * an option or a path outside where the command expects.
 */

/** An argument's name: lower-case letters, digits and `_`, starting with a letter (so never `__proto__`). */
export const ARG_NAME = /^[a-z][a-z0-9_]{0,31}$/;
/** Longest value on the wire; a command's own `maxLength` may be shorter. */
export const ARG_VALUE_MAX_LENGTH = 200;
/** Most arguments one request may carry. */
export const MAX_ARGS = 16;

export const argNameSchema = z.string().regex(ARG_NAME, 'an argument name (a-z, 0-9, _; starting with a letter)');

/** How one argument is checked: its pattern (matched whole), an optional shorter length limit. */
export interface ArgRule {
  readonly pattern: string;
  readonly maxLength?: number | undefined;
}

// Control characters (NUL, newline, escape, …) never reach an argv, whatever the pattern allows.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/u;

/** True when the pattern itself starts with a literal `-`: the only way a value may look like an option. */
export function patternAllowsDash(pattern: string): boolean {
  const body = pattern.startsWith('^') ? pattern.slice(1) : pattern;
  return body.startsWith('-') || body.startsWith('\\-');
}

/** Compiles a rule's pattern anchored at both ends, so a config that forgot `^…$` cannot match part of a value. */
export function anchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

/** Why `value` may not be the argument `name`, in one short line; undefined when it may. */
export function argValueProblem(name: string, rule: ArgRule, value: string): string | undefined {
  const max = Math.min(rule.maxLength ?? ARG_VALUE_MAX_LENGTH, ARG_VALUE_MAX_LENGTH);
  if (value.length === 0) return `${name} is empty`;
  if (value.length > max) return `${name} is longer than ${max} characters`;
  if (CONTROL.test(value)) return `${name} contains a control character`;
  if (value.startsWith('-') && !patternAllowsDash(rule.pattern)) return `${name} may not begin with "-" (it would be read as an option)`;
  if (value.split(/[/\\]/).includes('..')) return `${name} may not contain a ".." path segment`;
  if (!anchored(rule.pattern).test(value)) return `${name} must match ${rule.pattern}`;
  return undefined;
}
