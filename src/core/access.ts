import type { HeldRole, RoleSource } from './roles/types.js';
import type { Principal } from './principal.js';
import type { Role } from '../words/roles.js';


export interface AccessUser {
  readonly key: string;
  readonly name?: string;
  readonly roles: readonly Role[];
}

export interface AccessConfig {
  readonly users: readonly AccessUser[];
  /** Per-command role overrides, keyed `note` (all subcommands) or `note add` (one). */
  readonly commands?: Readonly<Record<string, readonly Role[]>>;
  /** Per-command channel allowlists, keyed like `commands`. */
  readonly channels?: Readonly<Record<string, readonly string[]>>;
  /** Commands that need a second person's approval, keyed like `commands` (docs/access.md). */
  readonly approvers?: Readonly<Record<string, readonly Role[]>>;
}

export type Decision =
  /** `source`: where the role that allowed it came from (config, a Slack group, a Discord role, a grant). */
  | { readonly allow: true; readonly roles: readonly Role[]; readonly source: string }
  | { readonly allow: false; readonly reason: 'unknown_principal' | 'missing_role' | 'channel'; readonly needed: readonly Role[] };

/** Everything `access` config gives, swapped as one value on reload (docs/architecture.md, "Stopping and reloading"). */
interface Policy {
  readonly users: ReadonlyMap<string, AccessUser>;
  // Overrides are keyed by command paths that come from input: Maps, so `constructor` is just a name.
  readonly commands: ReadonlyMap<string, readonly Role[]>;
  readonly channels: ReadonlyMap<string, readonly string[]>;
  readonly approvers: ReadonlyMap<string, readonly Role[]>;
  readonly sources: readonly RoleSource[];
}

/**
 * Deny by default: a caller must be listed, hold one of the command's roles (admin holds all; any
 * role includes viewer), and be in an allowed room when the command has a channel allowlist.
 */
export class Access {
  #policy: Policy;
  readonly #extra: ReadonlyMap<string, readonly Role[]>;

  /**
   * `sources`: role sources beside the allowlist (docs/access.md): Slack groups, Discord roles, grants.
   * `extra`: roles that also pass the check for a path, because a rule the command applies after
   * parsing may let them in (a deploy target's own `roles`); the command then makes the final call.
   */
  constructor(config: AccessConfig, sources: readonly RoleSource[] = [], extra: ReadonlyMap<string, readonly Role[]> = new Map()) {
    this.#extra = extra;
    this.#policy = policyOf(config, sources);
  }

  /**
   * SIGHUP: a validated allowlist (and, when given, the role sources built from the same config)
   * replaces this one in one assignment; every holder of this object sees all of it at once.
   */
  reload(config: AccessConfig, sources: readonly RoleSource[] = this.#policy.sources): void {
    this.#policy = policyOf(config, sources);
  }

  /** The role sources in force (a reload replaces them). */
  get sources(): readonly RoleSource[] {
    return this.#policy.sources;
  }

  user(key: string): AccessUser | undefined {
    return this.#policy.users.get(key);
  }

  /** Every role the principal holds now, with its source; the allowlist's come first. */
  held(who: Principal | string): readonly HeldRole[] {
    const p = typeof who === 'string' ? { key: who, name: who } : who;
    const { users, sources } = this.#policy;
    const listed = (users.get(p.key)?.roles ?? []).map((role) => ({ role, source: 'config' }));
    return [...listed, ...sources.flatMap((s) => s.rolesFor(p))];
  }

  rolesOf(who: Principal | string): readonly Role[] {
    return [...new Set(this.held(who).map((h) => h.role))];
  }

  /** Brings every role source up to date for this principal (never throws; see RoleSource). */
  async prepare(p: Principal): Promise<void> {
    await Promise.all(this.#policy.sources.map((s) => s.prepare?.(p)));
  }

  /** After `prepare`: roles a source might give this principal but could not check (docs/web.md, "Roles on the web"). */
  unchecked(p: Principal): readonly HeldRole[] {
    return this.#policy.sources.flatMap((s) => s.unchecked?.(p) ?? []);
  }

  async stop(): Promise<void> {
    await Promise.all(this.#policy.sources.map((s) => s.stop?.()));
  }

  /** The roles `access.approvers` requires for a path: the path's own entry, then its command's. */
  approvers(path: string): readonly Role[] {
    const { approvers } = this.#policy;
    return approvers.get(path) ?? approvers.get(commandOf(path)) ?? [];
  }

  /** The roles a command path needs: config override for the path, then for the command, then its definition (plus `extra`). */
  needed(path: string, defaults: readonly Role[]): readonly Role[] {
    const command = commandOf(path);
    const { commands } = this.#policy;
    const override = commands.get(path) ?? commands.get(command);
    if (override) return override;
    const extra = this.#extra.get(path) ?? [];
    return extra.length ? [...new Set([...defaults, ...extra])] : defaults;
  }

  decide(who: Principal | string, path: string, defaults: readonly Role[], room?: string): Decision {
    return this.decider(who)(path, defaults, room);
  }

  /**
   * `decide` for one principal and many paths (/help checks every command): the roles they hold are
   * gathered once, not once per path.
   */
  decider(who: Principal | string): (path: string, defaults: readonly Role[], room?: string) => Decision {
    const held = this.held(who);
    const roles = [...new Set(held.map((h) => h.role))];
    return (path, defaults, room) => this.#decide(held, roles, path, defaults, room);
  }

  #decide(held: readonly HeldRole[], roles: readonly Role[], path: string, defaults: readonly Role[], room?: string): Decision {
    const needed = this.needed(path, defaults);
    if (held.length === 0) return { allow: false, reason: 'unknown_principal', needed };
    // Every listed user may do what a viewer may: an operator needs /drives and /help too.
    const by = held.find((h) => h.role === 'admin' || needed.includes(h.role)) ?? (needed.includes('viewer') ? held[0] : undefined);
    if (!by) return { allow: false, reason: 'missing_role', needed };
    const { channels } = this.#policy;
    const rooms = channels.get(path) ?? channels.get(commandOf(path));
    if (rooms && room !== undefined && !rooms.includes(room)) return { allow: false, reason: 'channel', needed };
    return { allow: true, roles, source: by.source };
  }
}

function policyOf(config: AccessConfig, sources: readonly RoleSource[]): Policy {
  return {
    users: new Map(config.users.map((u) => [u.key, u] as const)),
    commands: new Map(Object.entries(config.commands ?? {})),
    channels: new Map(Object.entries(config.channels ?? {})),
    approvers: new Map(Object.entries(config.approvers ?? {})),
    sources: [...sources],
  };
}

/** `note` of `note add`: overrides keyed by the bare command apply to all its subcommands. */
function commandOf(path: string): string {
  const space = path.indexOf(' ');
  return space < 0 ? path : path.slice(0, space);
}

/**
 * Override keys must name a command (`status`) or a command and subcommand (`note add`) exactly:
 * a mistyped key would otherwise silently leave a command open. Returns one issue per bad key.
 */
export function unknownAccessKeys(config: AccessConfig, paths: readonly string[]): string[] {
  const known = new Set(paths.flatMap((p) => [p, p.split(' ')[0] ?? p]));
  const issues: string[] = [];
  for (const section of ['commands', 'channels', 'approvers'] as const) {
    for (const key of Object.keys(config[section] ?? {})) {
      if (!known.has(key)) issues.push(`access.${section}.${key}: no command or subcommand is called "${key}" (known: ${[...known].sort().join(', ')})`);
    }
  }
  return issues;
}
