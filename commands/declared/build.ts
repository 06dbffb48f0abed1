import type { Logger } from 'pino';
import { defineCommand, type CommandDef } from '../../src/core/define-command.js';
import type { Role } from '../../src/words/roles.js';
import type { Secrets } from '../../src/services/secrets/index.js';
import { toArgSpec } from './args.js';
import { httpHandler } from './http-kind.js';
import { declaredIssues, type DeclaredIssue } from '../../src/config/commands-check.js';
import type { DeclaredCommand, Source } from '../../src/config/commands.js';
import { sqlHandler } from './sql-kind.js';
import { declaredRunCommand } from './run.js';
import type { Sources } from './sources.js';

export interface DeclaredDeps {
  readonly log: Logger;
  readonly secrets: () => Secrets | undefined;
  readonly masked: readonly string[];
  /** The sources in force when the command runs (a reload swaps them with the commands). */
  readonly sources: () => Sources;
  /** The names of the plugins' commands among `builtins`, which a refusal names as such (docs/plugins.md). */
  readonly plugins?: ReadonlySet<string>;
}

export type DeclaredBuild = { readonly ok: true; readonly commands: readonly CommandDef[] } | { readonly ok: false; readonly issues: readonly DeclaredIssue[] };

/**
 * `commands:` as ordinary CommandDefs (docs/commands.md): defined with the same defineCommand the
 * built-ins use and registered in the same Registry, so the Dispatcher runs each through the one
 * pipeline (allowlist, roles, access.commands, confirmation, approval, audit). `builtins` are the
 * names a declared command may not take.
 */
export function buildDeclared(commands: readonly DeclaredCommand[], sources: Readonly<Record<string, Source>> | undefined, builtins: readonly string[], deps: DeclaredDeps): DeclaredBuild {
  const issues = declaredIssues(commands, builtins, Object.keys(sources ?? {}), deps.plugins);
  if (issues.length) return { ok: false, issues };
  const out: CommandDef[] = [];
  for (const [i, c] of commands.entries()) {
    try {
      out.push(toCommandDef(c, deps));
    } catch (err) {
      return { ok: false, issues: [{ path: ['commands', i], message: (err as Error).message }] };
    }
  }
  return { ok: true, commands: out };
}

function toCommandDef(c: DeclaredCommand, deps: DeclaredDeps): CommandDef {
  // A command on an agent host (docs/commands.md, "run: a command on an agent").
  if (c.kind === 'run') return declaredRunCommand(c) as CommandDef;
  const handler = c.kind === 'http' ? httpHandler(c, deps) : sqlHandler(c, deps.sources, deps.log);
  const approvers: readonly Role[] | undefined = c.approvers;
  return defineCommand({
    name: c.name,
    description: c.description,
    ...(c.usage !== undefined ? { usage: c.usage } : {}),
    examples: c.examples,
    args: c.args.map(toArgSpec),
    roles: c.roles,
    // An http command may change something; a sql one only reads (its source's user can only SELECT).
    sideEffects: c.kind === 'http' && c.method !== 'GET',
    handler,
    ...(c.confirm ? { confirm: () => `run /${c.name}` } : {}),
    ...(approvers ? { approvers: () => approvers } : {}),
  });
}

/** Issues as the config loader prints them: `commands.2.name: /deploy is a built-in command`. */
export function formatIssues(issues: readonly DeclaredIssue[]): string[] {
  return issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}
