import type { ScheduleEntry } from '../config/schedules.js';
import type { Access, AccessConfig, AccessUser } from '../core/access.js';
import { parseText } from '../core/parse.js';
import type { Registry } from '../core/registry.js';
import { schedulePrincipal } from './runner.js';

/** Each schedule's system principal with the schedule's roles: extra entries for the allowlist. */
export function schedulePrincipals(schedules: readonly ScheduleEntry[] | undefined): AccessUser[] {
  return (schedules ?? []).map((s) => ({ ...schedulePrincipal(s.name), roles: s.roles }));
}

/** The configured allowlist plus each schedule's system principal (added, never replacing an entry). */
export function withSchedulePrincipals(access: AccessConfig, schedules: readonly ScheduleEntry[] | undefined): AccessConfig {
  return { ...access, users: [...access.users, ...schedulePrincipals(schedules)] };
}

/**
 * Checks each scheduled command against the commands this process knows, before anything runs:
 * it must exist, parse, be read-only (no side effects, nothing to confirm), and be allowed for the
 * schedule's roles in its channel. Returns one issue per problem, at the key to change.
 */
export function scheduleIssues(schedules: readonly ScheduleEntry[] | undefined, registry: Registry, access: Access): string[] {
  const issues: string[] = [];
  (schedules ?? []).forEach((s, i) => {
    const at = `schedules.${i}`;
    const m = /^\/(\S+)\s*([\s\S]*)$/.exec(s.command);
    const def = registry.get(m?.[1] ?? '');
    if (!def) return issues.push(`${at}.command: unknown command ${s.command.split(/\s/)[0]}`);
    const r = registry.resolve(def, m?.[2] ?? '');
    if ('error' in r) return issues.push(`${at}.command: ${r.error}`);
    // Issues name the command as the schedule writes it (`/deploy`, not its internal `deploy run`).
    const { target, rest, named } = r;
    if (target.sideEffects) return issues.push(`${at}.command: /${named} has side effects; only read-only commands may be scheduled`);
    if (target.confirm) return issues.push(`${at}.command: /${named} asks for confirmation, which nobody could give`);
    try {
      parseText(target.args, rest, { platform: s.post.platform, principalKey: schedulePrincipal(s.name).key, command: def.name });
    } catch (err) {
      return issues.push(`${at}.command: ${(err as Error).message} (usage: ${target.usage})`);
    }
    const d = access.decide(schedulePrincipal(s.name).key, target.path, target.roles, s.post.channel);
    if (d.allow) return undefined;
    if (d.reason === 'channel') issues.push(`${at}.post.channel: access.channels does not allow /${named} in ${s.post.channel}`);
    else issues.push(`${at}.roles: /${named} needs one of ${d.needed.join(', ')}`);
    return undefined;
  });
  return issues;
}
