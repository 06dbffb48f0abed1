import { ARG_NAME, argValueProblem, type ArgRule } from '../../protocol/index.js';
import { AgentError } from '../errors.js';
import type { CommandConfig } from './argv.js';

const PLACEHOLDER = /^\{([a-z][a-z0-9_]{0,31})\}$/;

/**
 * The argv of a declared command (docs/agent.md, "Declared commands"): each `{name}` that is a whole
 * argv element becomes that argument's value, checked first against the command's own rule for it
 * (the bot checked it too; the agent trusts no client). A value is exactly one element, never split,
 * joined or handed to a shell. Values the command does not declare, and declared ones its argv needs
 * but the request lacks, are refused.
 */
export function declaredArgv(name: string, cmd: CommandConfig, values: ReadonlyMap<string, string>): string[] {
  const rules: ReadonlyMap<string, ArgRule> = new Map(Object.entries(cmd.args ?? {}));
  for (const [arg, value] of values) {
    const rule = ARG_NAME.test(arg) ? rules.get(arg) : undefined;
    if (!rule) throw new AgentError('bad_args', `${name} has no argument ${JSON.stringify(arg.slice(0, 40))} (it takes: ${[...rules.keys()].join(', ') || 'none'})`);
    const problem = argValueProblem(arg, rule, value);
    if (problem) throw new AgentError('bad_args', `${name}: ${problem}`);
  }
  return cmd.argv.map((element) => {
    const m = PLACEHOLDER.exec(element);
    const arg = m?.[1];
    if (arg === undefined || !rules.has(arg)) return element;
    const value = values.get(arg);
    if (value === undefined) throw new AgentError('bad_args', `${name} needs ${arg}`);
    return value;
  });
}
