import type { Role } from '../../words/roles.js';
import type { Principal } from '../principal.js';

/** A role a principal holds, and where it comes from (`config`, `slack-group:S…`, `discord-role:…`, `grant:12`). */
export interface HeldRole {
  readonly role: Role;
  readonly source: string;
}

/**
 * A way a principal gets roles besides `access.users`. `rolesFor` is synchronous: a source keeps
 * what it knows in memory, and `prepare` (run before each decision) brings that up to date.
 */
export interface RoleSource {
  rolesFor(p: Principal): readonly HeldRole[];
  /** Must not throw: a source that cannot be asked gives fewer roles, never an error. */
  prepare?(p: Principal): Promise<void>;
  /** After `prepare`: roles this source might give but could not check (its platform did not answer). */
  unchecked?(p: Principal): readonly HeldRole[];
  stop?(): Promise<void>;
}
