import type { AccessParts } from './access-setup.js';
import type { Config } from '../config/schema.js';
import { Access, unknownAccessKeys } from '../core/access.js';
import type { Role } from '../words/roles.js';
import type { Registry } from '../core/registry.js';
import { scheduleIssues, withSchedulePrincipals } from '../schedules/check.js';

export type ReloadPlan =
  | {
      readonly ok: true;
      /** Sections besides `access` that differ from the running config: they change at the next restart. */
      readonly restartNeeded: readonly string[];
      readonly warnings: readonly string[];
      /** Swaps every part of `access` in one synchronous step. */
      commit(): void;
    }
  | { readonly ok: false; readonly issues: readonly string[] };

/**
 * A reload of `access` from a new config, all or nothing (docs/configuration.md#reloading): the new
 * file gets every check `opsline start` runs (its access keys name known commands, its schedules are
 * read-only and allowed), the schedules running now must stay allowed under the new access, and every
 * structure the section gives is built; nothing changes until `commit`.
 */
export function planAccessReload(
  running: Config,
  next: Config,
  registry: Registry,
  parts: AccessParts,
  extra: ReadonlyMap<string, readonly Role[]>,
): ReloadPlan {
  const paths = registry.targets().map((t) => t.path);
  // Schedules are not reloaded: their system principals keep the roles the running config gives them.
  const list = withSchedulePrincipals(next.access, running.schedules);
  const asStarted = scheduleIssues(next.schedules, registry, new Access(withSchedulePrincipals(next.access, next.schedules), [], extra));
  const sameSchedules = JSON.stringify(next.schedules) === JSON.stringify(running.schedules);
  const asRunning = sameSchedules ? [] : scheduleIssues(running.schedules, registry, new Access(list, [], extra)).map((i) => `${i} (a schedule running now; the new access would refuse it)`);
  const issues = [...unknownAccessKeys(next.access, paths), ...asStarted, ...asRunning];
  if (issues.length) return { ok: false, issues };
  const prepared = parts.prepare(next.access, list);
  return { ok: true, restartNeeded: changedSections(running, next), warnings: prepared.warnings, commit: () => prepared.commit() };
}

function changedSections(a: Config, b: Config): string[] {
  const keys = new Set<string>([...Object.keys(a), ...Object.keys(b)]);
  const value = (c: Config, k: string) => JSON.stringify(Object.hasOwn(c, k) ? (c as Record<string, unknown>)[k] : undefined);
  return [...keys].filter((k) => k !== 'access' && value(a, k) !== value(b, k)).sort();
}
