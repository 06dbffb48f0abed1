import type { AccessParts } from './access-setup.js';
import { planAccessReload, type ReloadPlan } from './access-reload.js';
import { gateRoles, replaceGateRoles } from './gate-roles.js';
import type { Config } from '../config/schema.js';
import type { Role } from '../words/roles.js';
import type { Registry } from '../core/registry.js';
import type { Declared } from '../../commands/declared/setup.js';

/**
 * SIGHUP's plan: `access` and the declared commands together, all or nothing
 * (docs/configuration.md#reloading). The new access is checked against the new command set (its
 * `access.commands` may name a new declared command); both swap in one synchronous commit.
 */
export function planReload(running: Config, next: Config, registry: Registry, parts: AccessParts, extra: Map<string, readonly Role[]>, declared: Declared): ReloadPlan {
  const commands = declared.plan(next);
  if (!commands.ok) return { ok: false, issues: commands.issues };
  // A new run command in job form lets its roles reach /deploy cancel too (src/app/gate-roles.ts).
  const nextExtra = gateRoles(next);
  const access = planAccessReload(running, next, commands.registry, parts, nextExtra);
  if (!access.ok) {
    commands.discard();
    return access;
  }
  const warnings = commands.changed && next.discord ? [...access.warnings, 'the command set changed: run `opsline register discord` so Discord shows it'] : access.warnings;
  return {
    ok: true,
    restartNeeded: access.restartNeeded.filter((k) => k !== 'commands' && k !== 'sources'),
    warnings,
    commit() {
      commands.commit();
      replaceGateRoles(extra, nextExtra);
      access.commit();
    },
  };
}
