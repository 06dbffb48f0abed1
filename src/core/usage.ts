import type { ArgSpec } from './arg-spec.js';
import { placeholderOf } from './resolvers.js';

/** Choices are spelt out in usage lines up to this many (`[today|24h|7d|all]`); more are named (`<role>`). */
const SPELT_CHOICES = 4;

/** `<image.iso> [drive] [--no-verify]`: each argument as its resolver shows it, required ones in <>. */
export function argsUsage(args: readonly ArgSpec[]): string {
  return args
    .map((a) => {
      const p = a.choices && a.choices.length > SPELT_CHOICES ? a.name : placeholderOf(a);
      const w = a.flag ? (a.type === 'boolean' ? `--${a.name}` : `--${a.name}=${p}`) : p;
      return a.required ? `<${w}>` : `[${w}]`;
    })
    .join(' ');
}

/**
 * One path's usage line, from its specs: `/burn <image.iso> [drive] [--no-verify]` (the default
 * subcommand is not typed), `/note add <text>`. /help, usage errors and the Slack usage hint show it.
 */
export function pathUsage(command: string, sub: string | undefined, args: readonly ArgSpec[]): string {
  return [`/${command}`, sub, argsUsage(args)].filter(Boolean).join(' ');
}

/** A command's usage: its subcommands' lines joined, `/note add <text> | list [n] | search <words>`. */
export function commandUsage(command: string, subUsages: readonly string[]): string {
  return `/${command} ${subUsages.map((u) => u.slice(command.length + 2)).join(' | ')}`.trimEnd();
}
