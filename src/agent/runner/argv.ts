import { AgentError } from '../errors.js';

/** One deploy command from the agent host's own config (`agent.commands.<name>`). */
export interface CommandConfig {
  readonly argv: readonly string[];
  readonly refPattern: string;
  readonly timeoutSec: number;
  readonly env?: Readonly<Record<string, string>>;
  /** A declared command's typed arguments (`{name}` placeholders in argv), by name: declared-argv.ts. */
  readonly args?: Readonly<Record<string, { readonly pattern: string; readonly maxLength?: number | undefined }>>;
}

export { DEFAULT_REF_PATTERN } from '../../words/names.js';

/**
 * True when `ref` matches the whole pattern. The pattern is anchored again here so a config that
 * forgot `^…$` cannot let `main; rm -rf /` through on a partial match.
 */
export function refMatches(pattern: string, ref: string): boolean {
  return new RegExp(`^(?:${pattern})$`, 'u').test(ref);
}

/**
 * The argv to spawn: `{ref}` is replaced only where it is a whole element, and only after the ref
 * matched; nothing is ever joined into a string or handed to a shell.
 */
export function commandArgv(name: string, cmd: CommandConfig, ref: string): string[] {
  if (!refMatches(cmd.refPattern, ref)) throw new AgentError('bad_ref', `ref ${JSON.stringify(ref.slice(0, 60))} does not match ${cmd.refPattern} for ${name}`);
  return cmd.argv.map((a) => (a === '{ref}' ? ref : a));
}
