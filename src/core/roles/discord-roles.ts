import type { Role } from '../../words/roles.js';
import type { Principal } from '../principal.js';
import type { HeldRole, RoleSource } from './types.js';

export interface DiscordRoleEntry {
  readonly guild: string;
  readonly role: string;
  readonly roles: readonly Role[];
}

/**
 * Roles from the guild roles a Discord member holds. The ids come with every interaction (the
 * member's `roles`, carried on the principal by the adapter), so nothing is fetched or cached.
 */
export class DiscordRoles implements RoleSource {
  readonly #byRole = new Map<string, readonly Role[]>();

  constructor(entries: readonly DiscordRoleEntry[]) {
    for (const e of entries) this.#byRole.set(`${e.guild}:${e.role}`, [...(this.#byRole.get(`${e.guild}:${e.role}`) ?? []), ...e.roles]);
  }

  rolesFor(p: Principal): readonly HeldRole[] {
    if (!p.key.startsWith('discord:') || p.guild === undefined) return [];
    return (p.memberRoles ?? []).flatMap((id) => (this.#byRole.get(`${p.guild}:${id}`) ?? []).map((role) => ({ role, source: `discord-role:${id}` })));
  }
}
