import type { Config } from '../config/schema.js';
import { perTargetRoles } from '../services/deploy/service.js';
import type { Role } from '../words/roles.js';

/**
 * Roles that also get past the check before parsing, per command path (src/core/access.ts, `extra`):
 * deploy targets' own roles (docs/deploy.md, "Who may deploy"), and for `/deploy cancel` the roles of
 * every declared run command in job form, so whoever may run one may stop it without the deployer role.
 * The command itself decides afterwards: a declared run job by its command's roles (or who started it),
 * a deploy by its target's (docs/commands.md, "Job commands").
 */
export function gateRoles(config: Config): Map<string, readonly Role[]> {
  const extra = new Map(perTargetRoles(config.deploy?.targets ?? []));
  const runRoles = (config.commands ?? []).flatMap((c) => (c.kind === 'run' && !c.quick ? c.roles : []));
  if (runRoles.length) extra.set('deploy cancel', [...new Set([...(extra.get('deploy cancel') ?? []), ...runRoles])]);
  return extra;
}

/** Puts `next` in place of what `running` holds: the Access built at start keeps reading the same Map. */
export function replaceGateRoles(running: Map<string, readonly Role[]>, next: ReadonlyMap<string, readonly Role[]>): void {
  running.clear();
  for (const [path, roles] of next) running.set(path, roles);
}
