import type { Role } from '../../words/roles.js';
import type { Principal } from '../principal.js';
import type { HeldRole, RoleSource } from './types.js';

export interface DiscordRoleEntry {
  readonly guild: string;
  readonly role: string;
  readonly roles: readonly Role[];
}

/** Asks Discord which roles a member holds in a guild (the guild member API); rejects when it cannot be asked. */
export type MemberRoles = (guild: string, user: string) => Promise<readonly string[]>;

/** How long roles fetched for a principal without them (the web view) are used before asking again. */
export const MEMBER_ROLES_TTL_MS = 60_000;
const MAX_KNOWN = 10_000;

/**
 * Roles from the guild roles a Discord member holds. In chat the ids come with every interaction (the
 * member's `roles`, carried on the principal by the adapter), so nothing is fetched. A principal without
 * them (a web session: docs/web.md, "Roles on the web") has them fetched by `prepare` through the guild
 * member API and kept for a minute; when Discord cannot answer, the last answer holds until it is a
 * minute old, and then these roles are unchecked (`unchecked`), never granted.
 */
export class DiscordRoles implements RoleSource {
  readonly #byRole = new Map<string, readonly Role[]>();
  readonly #known = new Map<string, { roles: readonly string[]; at: number }>();

  constructor(
    entries: readonly DiscordRoleEntry[],
    private readonly members?: MemberRoles,
    private readonly now: () => number = Date.now,
  ) {
    for (const e of entries) this.#byRole.set(`${e.guild}:${e.role}`, [...(this.#byRole.get(`${e.guild}:${e.role}`) ?? []), ...e.roles]);
  }

  rolesFor(p: Principal): readonly HeldRole[] {
    if (!p.key.startsWith('discord:') || p.guild === undefined) return [];
    const ids = p.memberRoles ?? this.#fresh(p)?.roles ?? [];
    return ids.flatMap((id) => (this.#byRole.get(`${p.guild}:${id}`) ?? []).map((role) => ({ role, source: `discord-role:${id}` })));
  }

  async prepare(p: Principal): Promise<void> {
    if (!this.#asks(p) || this.#fresh(p)) return;
    const user = p.key.slice('discord:'.length);
    const at = this.now();
    try {
      const roles = await this.members!(p.guild!, user);
      this.#known.delete(knownKey(p));
      this.#known.set(knownKey(p), { roles, at });
      if (this.#known.size > MAX_KNOWN) this.#known.delete(this.#known.keys().next().value as string);
    } catch {
      // Deny by default: what cannot be asked gives no roles; `unchecked` says which.
    }
  }

  /** The configured roles of this principal's guild that could not be checked (Discord did not answer). */
  unchecked(p: Principal): readonly HeldRole[] {
    if (!this.#asks(p) || this.#fresh(p)) return [];
    return [...this.#byRole].filter(([k]) => k.startsWith(`${p.guild}:`)).flatMap(([k, roles]) => roles.map((role) => ({ role, source: `discord-role:${k.slice(k.indexOf(':') + 1)}` })));
  }

  /** True for a Discord principal in a guild with configured roles, whose member roles did not come with it. */
  #asks(p: Principal): boolean {
    if (!this.members || p.memberRoles !== undefined || p.guild === undefined || !/^discord:\d+$/.test(p.key)) return false;
    return [...this.#byRole.keys()].some((k) => k.startsWith(`${p.guild}:`));
  }

  #fresh(p: Principal): { roles: readonly string[]; at: number } | undefined {
    const k = this.#known.get(knownKey(p));
    return k && this.now() - k.at <= MEMBER_ROLES_TTL_MS ? k : undefined;
  }
}

function knownKey(p: Principal): string {
  return `${p.guild ?? ''}:${p.key}`;
}
