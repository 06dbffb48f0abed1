export const ROLES = ['viewer', 'writer', 'operator', 'deployer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

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
}

export type Decision =
  | { readonly allow: true; readonly roles: readonly Role[] }
  | { readonly allow: false; readonly reason: 'unknown_principal' | 'missing_role' | 'channel'; readonly needed: readonly Role[] };

/**
 * Deny by default: a caller must be listed, hold one of the command's roles (admin holds all; any
 * role includes viewer), and be in an allowed room when the command has a channel allowlist.
 */
export class Access {
  readonly #users = new Map<string, AccessUser>();
  // Overrides are keyed by command paths that come from input: Maps, so `constructor` is just a name.
  readonly #commands: ReadonlyMap<string, readonly Role[]>;
  readonly #channels: ReadonlyMap<string, readonly string[]>;
  readonly #extra: ReadonlyMap<string, readonly Role[]>;

  /**
   * `extra`: roles that also pass the check for a path, because a rule the command applies after
   * parsing may let them in (a deploy target's own `roles`); the command then makes the final call.
   */
  constructor(config: AccessConfig, extra: ReadonlyMap<string, readonly Role[]> = new Map()) {
    for (const u of config.users) this.#users.set(u.key, u);
    this.#commands = new Map(Object.entries(config.commands ?? {}));
    this.#channels = new Map(Object.entries(config.channels ?? {}));
    this.#extra = extra;
  }

  /** SIGHUP: a validated allowlist replaces this one; every holder of this object sees it at once. */
  reload(config: AccessConfig): void {
    // `config` is readonly to the rest of the class; only a reload replaces it, all at once.
    (this as unknown as { config: AccessConfig }).config = config;
    this.#users.clear();
    for (const u of config.users) this.#users.set(u.key, u);
  }

  user(key: string): AccessUser | undefined {
    return this.#users.get(key);
  }

  rolesOf(key: string): readonly Role[] {
    return this.#users.get(key)?.roles ?? [];
  }

  /** The roles a command path needs: config override for the path, then for the command, then its definition (plus `extra`). */
  needed(path: string, defaults: readonly Role[]): readonly Role[] {
    const command = path.split(' ')[0] ?? path;
    const override = this.#commands.get(path) ?? this.#commands.get(command);
    if (override) return override;
    const extra = this.#extra.get(path) ?? [];
    return extra.length ? [...new Set([...defaults, ...extra])] : defaults;
  }

  decide(principalKey: string, path: string, defaults: readonly Role[], room?: string): Decision {
    const needed = this.needed(path, defaults);
    const user = this.#users.get(principalKey);
    if (!user) return { allow: false, reason: 'unknown_principal', needed };
    // Every listed user may do what a viewer may: an operator needs /drives and /help too.
    const ok = user.roles.includes('admin') || needed.includes('viewer') || user.roles.some((r) => needed.includes(r));
    if (!ok) return { allow: false, reason: 'missing_role', needed };
    const command = path.split(' ')[0] ?? path;
    const rooms = this.#channels.get(path) ?? this.#channels.get(command);
    if (rooms && room !== undefined && !rooms.includes(room)) return { allow: false, reason: 'channel', needed };
    return { allow: true, roles: user.roles };
  }
}

/**
 * Override keys must name a command (`status`) or a command and subcommand (`note add`) exactly:
 * a mistyped key would otherwise silently leave a command open. Returns one issue per bad key.
 */
export function unknownAccessKeys(config: AccessConfig, paths: readonly string[]): string[] {
  const known = new Set(paths.flatMap((p) => [p, p.split(' ')[0] ?? p]));
  const issues: string[] = [];
  for (const section of ['commands', 'channels'] as const) {
    for (const key of Object.keys(config[section] ?? {})) {
      if (!known.has(key)) issues.push(`access.${section}.${key}: no command or subcommand is called "${key}" (known: ${[...known].sort().join(', ')})`);
    }
  }
  return issues;
}
