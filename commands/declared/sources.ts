import { createPool, type Pool, type PoolOptions, type RowDataPacket } from 'mysql2/promise';
import { flavourOf, type ServerFlavour } from '../../src/services/db/status-refresh.js';
import type { Source } from '../../src/config/commands.js';

/** What SHOW GRANTS says of a source's user: read-only, or the privileges that make it not so. */
export type GrantCheck = { readonly readOnly: true } | { readonly readOnly: false; readonly reason: string };

/** Privileges a read-only source's user may hold: USAGE is "no privileges" (docs/commands.md#sources). */
const ALLOWED = new Set(['SELECT', 'USAGE', 'SHOW VIEW']);

/**
 * Reads SHOW GRANTS lines: every `GRANT <privileges> ON …` may hold only SELECT (and USAGE); a role
 * grant, a proxy grant or WITH GRANT OPTION cannot be shown to be read-only, so it fails the check.
 */
export function checkGrants(lines: readonly string[]): GrantCheck {
  for (const line of lines) {
    const m = /^GRANT\s+(.+?)\s+ON\s+/i.exec(line);
    if (!m) return { readOnly: false, reason: `cannot tell what this grant allows: ${line.slice(0, 120)}` };
    if (/\bWITH\s+(GRANT|ADMIN)\s+OPTION\b/i.test(line)) return { readOnly: false, reason: 'the user holds WITH GRANT OPTION' };
    const privileges = m[1]!.replace(/\([^)]*\)/g, '').split(',').map((p) => p.trim().toUpperCase());
    const extra = privileges.filter((p) => !ALLOWED.has(p));
    if (extra.length) return { readOnly: false, reason: `the user may ${extra.join(', ')} (only SELECT is allowed)` };
  }
  return { readOnly: true };
}

/**
 * One source: its own pool, its own user, never the bot's (docs/commands.md#sources). Connections open
 * lazily; the server's flavour (for the statement time limit) and the grant check are asked once and
 * asked again after a failure, so a fixed grant is seen without a restart.
 */
export class SourcePool {
  readonly pool: Pool;
  #flavour: Promise<ServerFlavour> | undefined;
  #grants: Promise<GrantCheck> | undefined;

  constructor(
    readonly name: string,
    readonly config: Source,
  ) {
    const u = new URL(config.url);
    const options: PoolOptions = {
      host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: u.port ? Number(u.port) : 3306,
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database: decodeURIComponent(u.pathname.replace(/^\//, '')),
      connectionLimit: config.poolSize,
      maxIdle: config.poolSize,
      connectTimeout: 5000,
      charset: 'UTF8MB4_UNICODE_520_CI',
      timezone: 'Z',
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      // Arguments are bound by name (`:status`); the driver sends them as parameters, never as SQL text.
      namedPlaceholders: true,
      multipleStatements: false,
    };
    this.pool = createPool(options);
  }

  flavour(): Promise<ServerFlavour> {
    this.#flavour ??= this.pool.query<RowDataPacket[]>('SELECT VERSION() AS version').then(
      ([rows]) => flavourOf(String(rows[0]?.version ?? '')),
      (err: unknown) => {
        this.#flavour = undefined;
        throw err;
      },
    );
    return this.#flavour;
  }

  /** SHOW GRANTS for the source's own user; a refusal is asked again next time. */
  grants(): Promise<GrantCheck> {
    this.#grants ??= this.pool.query<RowDataPacket[]>('SHOW GRANTS').then(
      ([rows]) => {
        const check = checkGrants(rows.map((r) => String(Object.values(r)[0] ?? '')));
        if (!check.readOnly) this.#grants = undefined;
        return check;
      },
      (err: unknown) => {
        this.#grants = undefined;
        throw err;
      },
    );
    return this.#grants;
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/** Every configured source by name (a Map: a source name is never an object key). */
export type Sources = ReadonlyMap<string, SourcePool>;

/** Pools for `sources:`, reusing those of `keep` whose config is unchanged (a SIGHUP reload). */
export function buildSources(config: Readonly<Record<string, Source>> | undefined, keep?: Sources): { sources: Map<string, SourcePool>; unused: SourcePool[] } {
  const sources = new Map<string, SourcePool>();
  for (const [name, s] of Object.entries(config ?? {})) {
    const old = keep?.get(name);
    sources.set(name, old && JSON.stringify(old.config) === JSON.stringify(s) ? old : new SourcePool(name, s));
  }
  const unused = [...(keep?.values() ?? [])].filter((p) => sources.get(p.name) !== p);
  return { sources, unused };
}
