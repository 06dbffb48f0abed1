import type { Args, CommandContext } from '../../src/core/define-command.js';
import type { TemplateVars } from '../../src/services/deploy/template.js';

/**
 * A declared command's template values: its arguments as typed, and the caller's identity as data
 * (`{user}` the display name, `{user.key}`, `{room}`). A Map: an argument name never reaches a prototype.
 */
export function templateVars(ctx: CommandContext<Args>, argNames: readonly string[]): Map<string, string> {
  const vars = new Map<string, string>();
  for (const name of argNames) {
    const v = Object.hasOwn(ctx.args, name) ? ctx.args[name] : undefined;
    if (v !== undefined) vars.set(name, String(v));
  }
  vars.set('user', ctx.invocation.principal.name);
  vars.set('user.key', ctx.invocation.principal.key);
  vars.set('room', ctx.invocation.room);
  return vars;
}

/** The most a declared command's reply carries: one Discord message (2000) with room for the code fence. */
export const REPLY_LIMIT = 1900;

export function capped(text: string, limit = REPLY_LIMIT): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

export type { TemplateVars };
