import { z } from 'zod';
import { ROLES } from '../words/roles.js';
import { ARG_VALUE_MAX_LENGTH, argNameSchema } from '../protocol/command-args.js';
import { AGENT_COMMAND, AGENT_NAME, COMMAND_NAME } from '../words/names.js';
import { wordSchema } from './words.js';

/**
 * Config for declared `run` commands (docs/commands.md, "run: a command on an agent"; docs/agent.md,
 * "Declared commands"): the agent's `agent.commands.<name>.args`, and the bot's `kind: run` entry
 * under `commands:`. The `commands:` block itself (and its http and sql kinds) lives beside this.
 */

/** A pattern that compiles; both ends match it whole. */
const pattern = z.string().min(1).max(500).refine((p) => {
  try {
    new RegExp(p, 'u');
    return true;
  } catch {
    return false;
  }
}, 'not a valid regular expression');

const argRule = z.strictObject({
  pattern,
  maxLength: z.number().int().min(1).max(ARG_VALUE_MAX_LENGTH).optional(),
});

/** `agent.commands.<name>.args`: each argument's rule, by the name its `{name}` placeholder uses. */
export const declaredRunArgs = z.record(argNameSchema, argRule);

/** One typed argument of a declared run command, as the bot checks it (the agent checks its own rule again). */
const runArg = z.strictObject({
  name: argNameSchema.refine((n) => !['user', 'room', 'vault'].includes(n), 'shadows {user}, {room} or {vault:…}'),
  description: z.string().max(100).optional(),
  pattern,
  maxLength: z.number().int().min(1).max(ARG_VALUE_MAX_LENGTH).optional(),
  required: z.boolean().default(true),
});

/** One `kind: run` entry under `commands:`. */
export const runCommandEntry = z.strictObject({
  name: wordSchema(COMMAND_NAME, 'a command name: lower-case letters, digits and -'),
  description: z.string().min(1).max(100),
  usage: z.string().max(200).optional(),
  examples: z.array(z.string().max(200)).optional(),
  kind: z.literal('run'),
  agent: wordSchema(AGENT_NAME, 'an agent name from agents:'),
  // The name in that agent's own agent.commands: the bot never holds or sends an argv.
  run: wordSchema(AGENT_COMMAND, "a command name from the agent host's agent.commands"),
  args: z.array(runArg).max(16).default([]),
  // Answered in place, like /status: no job, no thread. For commands that answer in seconds.
  quick: z.boolean().default(false),
  timeoutSec: z.number().int().min(1).max(86_400).default(600),
  roles: z.array(z.enum(ROLES)).min(1, 'a declared command needs roles: who may run it'),
  confirm: z.boolean().default(false),
  approvers: z.array(z.enum(ROLES)).min(1).optional(),
});

export type RunCommandEntry = z.output<typeof runCommandEntry>;
