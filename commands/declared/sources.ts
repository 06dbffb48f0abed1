import { createPool, type Pool, type PoolOptions, type RowDataPacket } from 'mysql2/promise';
import type { Logger } from 'pino';
import { flavourOf, type ServerFlavour } from '../../src/services/db/status-refresh.js';
import { isAccessDenied } from '../../src/services/db/errors.js';
import type { PoolSettings } from '../../src/services/db/pool.js';
import { VaultMysqlCredentials, type LeasedPool, type VaultClient } from '../../src/services/secrets/index.js';
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

/** A source cannot serve now: its Vault credentials were revoked or expired, or Vault gave none yet. */
export class SourceUnavailable extends Error {}

export interface SourceDeps {
  /** The Vault client, for a source with `vault: { role }`; undefined without a vault section. */
  readonly vault?: () => VaultClient | undefined;
  readonly log?: Logger;
  /** First wait before asking Vault again for credentials (`vault.retryMs`). */
  readonly retryMs?: number;
}

/** Where a source's server is, from its url or from host, port and database (the user then comes from Vault). */
export function sourceTarget(s: Source): { host: string; port: number; user?: string; password?: string; database: string } {
  if (!s.url) return { host: s.host ?? '', port: s.port, database: s.database ?? '' };
  const u = new URL(s.url);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')),
  };
}

/** A source's own pool: the options a declared sql command needs, on whatever login it is given. */
function sourcePool(s: PoolSettings): Pool {
  const options: PoolOptions = {
    host: s.host,
    port: s.port,
    user: s.user,
    password: s.password,
    database: s.database,
    connectionLimit: s.poolSize,
    maxIdle: s.poolSize,
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
  return createPool(options);
}

/**
 * One source: its own pool, its own user, never the bot's (docs/commands.md#sources). Connections open
 * lazily; the server's flavour (for the statement time limit) and the grant check are asked once and
 * asked again after a failure, so a fixed grant is seen without a restart. With `vault: { role }` the
 * login comes from Vault and is renewed and rotated as the bot's own is (docs/vault.md): the pool is
 * swapped under running statements, which finish on the old one.
 */
export class SourcePool implements LeasedPool {
  #pool: Pool | undefined;
  #ready: Promise<void> | undefined;
  #down: string | undefined;
  #closed = false;
  #flavour: Promise<ServerFlavour> | undefined;
  #grants: Promise<GrantCheck> | undefined;
  readonly #inflight = new Map<Pool, { count: number; idle: (() => void)[] }>();
  /** The Vault lease behind the login, once issued (a source with `vault`). */
  credentials: VaultMysqlCredentials | undefined;

  constructor(
    readonly name: string,
    readonly config: Source,
    private readonly deps: SourceDeps = {},
  ) {
    const t = sourceTarget(config);
    if (config.url) this.#pool = sourcePool({ ...t, user: t.user ?? '', password: t.password ?? '', timeoutMs: 5000, poolSize: config.poolSize });
  }

  /** Resolves once the source has a login: at once with a url; with vault, once Vault issued one (asked again after a failure). */
  ready(): Promise<void> {
    if (this.#pool) return Promise.resolve();
    if (this.#closed) return Promise.reject(new SourceUnavailable(`source ${this.name} is closed`));
    this.#ready ??= this.#start().catch((err: unknown) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }

  async #start(): Promise<void> {
    const client = this.deps.vault?.();
    const vault = this.config.vault;
    if (!client || !vault) throw new SourceUnavailable(`source ${this.name} needs a vault section`);
    const t = sourceTarget(this.config);
    const credentials = new VaultMysqlCredentials({
      client,
      mount: vault.mount,
      role: vault.role,
      settings: { host: t.host, port: t.port, user: '', password: '', database: t.database, timeoutMs: 5000, poolSize: this.config.poolSize },
      log: (this.deps.log ?? silent).child({ component: 'vault', source: this.name }),
      retryMs: this.deps.retryMs ?? 1000,
      connect: sourcePool,
    });
    await credentials.startWith((pool) => {
      this.#pool = pool;
      return this;
    });
    // A close that came meanwhile waits for this and then ends the pool and revokes the lease.
    this.credentials = credentials;
  }

  /** LeasedPool: new statements use `next`; the old pool ends once its statements are done. */
  async swap(next: Pool): Promise<number> {
    const old = this.#pool;
    this.#pool = next;
    this.#down = undefined;
    // The new user may hold other grants: ask SHOW GRANTS again.
    this.#grants = undefined;
    if (!old) return 0;
    const running = this.#inflight.get(old)?.count ?? 0;
    if (running > 0) await new Promise<void>((resolve) => this.#inflight.get(old)?.idle.push(resolve));
    await old.end().catch(() => undefined);
    return running;
  }

  suspend(reason: string | undefined): void {
    this.#down = reason;
  }

  /** Runs `fn` on the pool in force, which stays its pool to the end even if a rotation swaps it meanwhile. */
  async use<T>(fn: (pool: Pool) => Promise<T>): Promise<T> {
    await this.ready();
    if (this.#down) throw new SourceUnavailable(this.#down);
    const pool = this.#pool!;
    const slot = this.#inflight.get(pool) ?? { count: 0, idle: [] };
    this.#inflight.set(pool, slot);
    slot.count++;
    try {
      return await fn(pool);
    } catch (err) {
      // MySQL refused the login: a revoked or expired lease is said as such, and new credentials are on their way.
      if (this.credentials && isAccessDenied(err) && !(await this.credentials.verify().catch(() => false)))
        throw new SourceUnavailable(this.#down ?? 'its MySQL credentials are no longer valid; waiting for new ones from Vault', { cause: err });
      throw err;
    } finally {
      if (--slot.count === 0) {
        this.#inflight.delete(pool);
        for (const resolve of slot.idle.splice(0)) resolve();
      }
    }
  }

  flavour(): Promise<ServerFlavour> {
    this.#flavour ??= this.use((p) => p.query<RowDataPacket[]>('SELECT VERSION() AS version')).then(
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
    this.#grants ??= this.use((p) => p.query<RowDataPacket[]>('SHOW GRANTS')).then(
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

  /** Ends the pool; with vault, stops renewing and revokes the lease, so its MySQL user goes now. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#ready?.catch(() => undefined);
    await this.credentials?.halt();
    await this.#pool?.end().catch(() => undefined);
    this.#pool = undefined;
    await this.credentials?.revoke();
  }
}

const silentLogger = { child: () => silentLogger, info() {}, warn() {}, debug() {}, error() {} };
const silent = silentLogger as unknown as Logger;

/** Every configured source by name (a Map: a source name is never an object key). */
export type Sources = ReadonlyMap<string, SourcePool>;

/** Pools for `sources:`, reusing those of `keep` whose config is unchanged (a SIGHUP reload). */
export function buildSources(config: Readonly<Record<string, Source>> | undefined, keep?: Sources, deps?: SourceDeps): { sources: Map<string, SourcePool>; unused: SourcePool[] } {
  const sources = new Map<string, SourcePool>();
  for (const [name, s] of Object.entries(config ?? {})) {
    const old = keep?.get(name);
    sources.set(name, old && JSON.stringify(old.config) === JSON.stringify(s) ? old : new SourcePool(name, s, deps));
  }
  const unused = [...(keep?.values() ?? [])].filter((p) => sources.get(p.name) !== p);
  return { sources, unused };
}
