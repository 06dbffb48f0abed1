import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPool, type Pool } from '../../src/services/db/index.js';
import { MYSQL_HOST, MYSQL_PORT } from './mysql.js';

/**
 * A Vault HTTP API double: exactly the endpoints opsline calls, with Vault's documented response
 * shapes (test/fixtures/vault/) and `{ "errors": [...] }` failures, real TTLs (a lease that is not
 * renewed expires and its user is dropped), and real MariaDB users created and dropped by running
 * the role's statements as root — like Vault's mysql-database-plugin does.
 */

export type Capability = 'read' | 'update' | 'list' | 'sudo';
/** One policy rule; a path ending in `*` is a prefix. */
export interface Rule {
  readonly path: string;
  readonly capabilities: readonly Capability[];
}

export interface DbRole {
  readonly creationStatements: readonly string[];
  readonly revocationStatements?: readonly string[];
  readonly defaultTtlSec: number;
  readonly maxTtlSec: number;
}

export interface Lease {
  readonly id: string;
  readonly username: string;
  readonly role: string;
  readonly issuedAt: number;
  expiresAt: number;
  readonly maxAt: number;
  timer?: NodeJS.Timeout;
}

interface Token {
  readonly id: string;
  readonly rules: readonly Rule[] | 'root';
  readonly expiresAt: number | undefined;
  readonly ttlSec: number;
}

/** Vault's mysql plugin default: take the privileges away, then the user. */
export const DEFAULT_REVOCATION = ["REVOKE ALL PRIVILEGES, GRANT OPTION FROM '{{name}}'@'%'", "DROP USER '{{name}}'@'%'"];

/** The creation statements of docs/security.md for one database (and optionally its status table), as Vault templates. */
export function leastPrivilegeStatements(database: string, statusTable?: string): string[] {
  return [
    "CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'",
    `GRANT SELECT, INSERT ON ${database}.notes TO '{{name}}'@'%'`,
    `GRANT SELECT, INSERT ON ${database}.audit_log TO '{{name}}'@'%'`,
    `GRANT SELECT, INSERT ON ${database}.access_grants TO '{{name}}'@'%'`,
    `GRANT SELECT, INSERT ON ${database}.access_revocations TO '{{name}}'@'%'`,
    `GRANT SELECT, INSERT, DELETE ON ${database}.status_snapshots TO '{{name}}'@'%'`,
    `GRANT SELECT, INSERT, DELETE ON ${database}.status_snapshot_counts TO '{{name}}'@'%'`,
    ...(statusTable ? [`GRANT SELECT ON ${statusTable} TO '{{name}}'@'%'`] : []),
  ];
}

/** What the bot's own token may do (docs/vault.md has the same policy in HCL). */
export function botPolicy(mount: string, role: string, kvMount = 'secret'): Rule[] {
  return [
    { path: `${mount}/creds/${role}`, capabilities: ['read'] },
    { path: 'sys/leases/renew', capabilities: ['update'] },
    { path: 'sys/leases/revoke', capabilities: ['update'] },
    { path: `${kvMount}/data/opsline/*`, capabilities: ['read'] },
  ];
}

/** What `opsline vault revoke` needs: sudo on the lease prefix. */
export function revokerPolicy(mount: string, role: string): Rule[] {
  return [
    { path: `sys/leases/lookup/${mount}/creds/${role}/`, capabilities: ['list', 'sudo'] },
    { path: `sys/leases/revoke-prefix/${mount}/creds/${role}`, capabilities: ['update', 'sudo'] },
  ];
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
  ) {
    super(errors.join('; '));
  }
}
const denied = () => new HttpError(403, ['1 error occurred:\n\t* permission denied\n\n']);

const NAME = /^[A-Za-z0-9_-]{1,32}$/;
const PASSWORD = /^[A-Za-z0-9-]{20}$/;
const EXPIRATION = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** Fills `{{name}}`, `{{password}}` and `{{expiration}}` after checking each value's form, so no generated value can break out of its quotes. */
export function fillStatement(template: string, values: { name: string; password: string; expiration: string }): string {
  if (!NAME.test(values.name) || !PASSWORD.test(values.password) || !EXPIRATION.test(values.expiration)) throw new Error('refusing a generated value of unexpected form');
  return template.replaceAll('{{name}}', values.name).replaceAll('{{username}}', values.name).replaceAll('{{password}}', values.password).replaceAll('{{expiration}}', values.expiration);
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomAlnum(n: number): string {
  return Array.from(randomBytes(n), (b) => ALNUM[b % ALNUM.length]).join('');
}

export class VaultDouble {
  readonly roles = new Map<string, DbRole>();
  readonly leases = new Map<string, Lease>();
  readonly kv = new Map<string, Record<string, string>>();
  readonly requests: { method: string; path: string }[] = [];
  /** Every secret value this double handed out (passwords, tokens, secret ids), for tests that check logs. */
  readonly handedOut: string[] = [];
  /** Set to make sys/leases/renew answer with this error instead (a policy change, a sealed Vault…). */
  refuseRenewals: { status: number; errors: string[] } | undefined;
  /** Set to make database/creds answer with this error (Vault cannot create users right now). */
  refuseCreds: { status: number; errors: string[] } | undefined;
  /** While set, sys/leases/renew answers only once it settles: a test decides when a renewal can land. */
  holdRenewals: Promise<void> | undefined;
  readonly #tokens = new Map<string, Token>();
  readonly #approles = new Map<string, { secretId: string; rules: readonly Rule[]; tokenTtlSec: number }>();
  readonly #server = createServer((req, res) => void this.#handle(req, res));
  readonly #root: Pool;
  addr = '';

  constructor(readonly mount = 'database') {
    this.#root = createPool({ host: MYSQL_HOST, port: MYSQL_PORT, user: 'root', password: '', timeoutMs: 5000, poolSize: 2 });
  }

  static async start(mount?: string): Promise<VaultDouble> {
    const v = new VaultDouble(mount);
    await new Promise<void>((resolve) => v.#server.listen(0, '127.0.0.1', resolve));
    v.addr = `http://127.0.0.1:${(v.#server.address() as AddressInfo).port}`;
    return v;
  }

  addRole(name: string, role: DbRole): void {
    this.roles.set(name, role);
  }

  /** A token with these rules (or every right, like a dev-mode root token); `ttlSec` 0 never expires. */
  addToken(rules: readonly Rule[] | 'root', ttlSec = 0): string {
    const id = `hvs.${randomAlnum(24)}`;
    this.#tokens.set(id, { id, rules, ttlSec, expiresAt: ttlSec ? Date.now() + ttlSec * 1000 : undefined });
    this.handedOut.push(id);
    return id;
  }

  addAppRole(rules: readonly Rule[], tokenTtlSec = 0): { roleId: string; secretId: string } {
    const roleId = randomUUID();
    const secretId = randomUUID();
    this.#approles.set(roleId, { secretId, rules, tokenTtlSec });
    this.handedOut.push(secretId);
    return { roleId, secretId };
  }

  /** Whether a user this double issued still exists in MariaDB. */
  async userExists(username: string): Promise<boolean> {
    const [rows] = await this.#root.query('SELECT COUNT(*) AS n FROM mysql.user WHERE User = ?', [username]);
    return Number((rows as { n: number }[])[0]?.n) > 0;
  }

  /** Revokes every lease (dropping its user) and stops listening. */
  async close(): Promise<void> {
    for (const id of [...this.leases.keys()]) await this.#revoke(id);
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await this.#root.end();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://vault');
    const path = decodeURIComponent(url.pathname.replace(/^\/v1\//, ''));
    this.requests.push({ method: req.method ?? '', path });
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      const list = url.searchParams.get('list') === 'true' || url.searchParams.get('list') === '1';
      const result = await this.#route(req.method ?? 'GET', path, list, body, req.headers['x-vault-token']);
      if (result === undefined) res.writeHead(204).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, [`1 error occurred:\n\t* ${(err as Error).message}\n\n`]);
      res.writeHead(e.status, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: e.errors }));
    }
  }

  async #route(method: string, path: string, list: boolean, body: Record<string, unknown>, header: unknown): Promise<unknown> {
    const write = method === 'PUT' || method === 'POST';
    const approle = /^auth\/([A-Za-z0-9_/-]+)\/login$/.exec(path);
    if (approle && write) {
      // Stricter than Vault on purpose: the bot must not send a (stale, expired) token with a login.
      if (header !== undefined) throw denied();
      return this.#login(body);
    }
    // Unauthenticated, as in Vault: an initialised, unsealed, active node (the API docs' sys/health example).
    if (path === 'sys/health' && method === 'GET')
      return { initialized: true, sealed: false, standby: false, performance_standby: false, replication_performance_mode: 'disabled', replication_dr_mode: 'disabled', server_time_utc: Math.floor(Date.now() / 1000), version: '1.15.0', cluster_name: 'vault-cluster-double', cluster_id: randomUUID() };
    const token = this.#token(header);
    if (path === 'auth/token/lookup-self' && method === 'GET') return this.#lookupSelf(token);
    if (path === 'sys/leases/renew' && write) {
      await this.holdRenewals;
      return this.#allow(token, path, 'update') ?? this.#renew(String(body.lease_id ?? ''));
    }
    if (path === 'sys/leases/revoke' && write) return this.#allow(token, path, 'update') ?? this.#revoke(String(body.lease_id ?? ''));
    if (path.startsWith('sys/leases/revoke-prefix/') && write) {
      this.#allow(token, path, 'update', true);
      // As in Vault: a prefix without a trailing slash is one lease id if there is one, else a path (so role "app" never hits "app2").
      const given = path.slice('sys/leases/revoke-prefix/'.length);
      const prefix = given.endsWith('/') || this.leases.has(given) ? given : `${given}/`;
      for (const id of [...this.leases.keys()]) if (id === prefix || id.startsWith(prefix)) await this.#revoke(id);
      return undefined;
    }
    if (path.startsWith('sys/leases/lookup/') && method === 'GET' && list) {
      this.#allow(token, path, 'list', true);
      const prefix = path.slice('sys/leases/lookup/'.length);
      const keys = [...this.leases.keys()].filter((id) => id.startsWith(prefix)).map((id) => id.slice(prefix.length));
      if (keys.length === 0) throw new HttpError(404, []);
      return { request_id: randomUUID(), lease_id: '', renewable: false, lease_duration: 0, data: { keys }, wrap_info: null, warnings: null, auth: null };
    }
    const creds = new RegExp(`^${this.mount}/creds/([A-Za-z0-9_-]+)$`).exec(path);
    if (creds && method === 'GET') return this.#allow(token, path, 'read') ?? this.#creds(creds[1]!);
    const kv = /^([A-Za-z0-9_-]+)\/data\/(.+)$/.exec(path);
    if (kv && method === 'GET') return this.#allow(token, path, 'read') ?? this.#kvRead(kv[2]!);
    throw new HttpError(404, [`1 error occurred:\n\t* unsupported path\n\n`]);
  }

  #token(header: unknown): Token {
    const t = typeof header === 'string' ? this.#tokens.get(header) : undefined;
    if (!t || (t.expiresAt !== undefined && t.expiresAt <= Date.now())) throw denied();
    return t;
  }

  /** Throws 403 unless the token's rules grant `cap` (and sudo, when the endpoint needs it). */
  #allow(token: Token, path: string, cap: Capability, sudo = false): undefined {
    if (token.rules === 'root') return undefined;
    const caps = new Set(token.rules.filter((r) => (r.path.endsWith('*') ? path.startsWith(r.path.slice(0, -1)) : r.path === path)).flatMap((r) => r.capabilities));
    if (!caps.has(cap) || (sudo && !caps.has('sudo'))) throw denied();
    return undefined;
  }

  #login(body: Record<string, unknown>): unknown {
    const role = this.#approles.get(String(body.role_id ?? ''));
    if (!role || role.secretId !== body.secret_id) throw new HttpError(400, ['invalid role or secret ID']);
    const id = this.addToken(role.rules, role.tokenTtlSec);
    const auth = { client_token: id, accessor: randomUUID(), policies: ['default', 'opsline'], token_policies: ['default', 'opsline'], metadata: { role_name: 'opsline' }, lease_duration: role.tokenTtlSec, renewable: true, entity_id: randomUUID(), token_type: 'service', orphan: true };
    return { request_id: randomUUID(), lease_id: '', renewable: false, lease_duration: 0, data: null, wrap_info: null, warnings: null, auth };
  }

  #lookupSelf(t: Token): unknown {
    const ttl = t.expiresAt === undefined ? 0 : Math.max(0, Math.floor((t.expiresAt - Date.now()) / 1000));
    const data = { accessor: randomUUID(), creation_time: Math.floor(Date.now() / 1000), creation_ttl: t.ttlSec, display_name: 'token', entity_id: '', expire_time: t.expiresAt ? new Date(t.expiresAt).toISOString() : null, explicit_max_ttl: 0, id: t.id, meta: null, num_uses: 0, orphan: true, path: 'auth/token/create', policies: t.rules === 'root' ? ['root'] : ['default', 'opsline'], renewable: t.expiresAt !== undefined, ttl, type: 'service' };
    return { request_id: randomUUID(), lease_id: '', renewable: false, lease_duration: 0, data, wrap_info: null, warnings: null, auth: null };
  }

  async #creds(roleName: string): Promise<unknown> {
    if (this.refuseCreds) throw new HttpError(this.refuseCreds.status, this.refuseCreds.errors);
    const role = this.roles.get(roleName);
    if (!role) throw new HttpError(400, [`unknown role: ${roleName}`]);
    // Vault's default MySQL username template: v-<display>-<role>-<random>, at most 32 characters.
    const username = `v-token-${roleName.slice(0, 8)}-${randomAlnum(20)}`.slice(0, 32);
    const password = `A1a-${randomAlnum(16)}`;
    this.handedOut.push(password);
    const now = Date.now();
    const expiration = new Date(now + role.defaultTtlSec * 1000).toISOString().slice(0, 19).replace('T', ' ');
    for (const st of role.creationStatements) await this.#root.query(fillStatement(st, { name: username, password, expiration }));
    const lease: Lease = { id: `${this.mount}/creds/${roleName}/${randomAlnum(24)}`, username, role: roleName, issuedAt: now, expiresAt: now + role.defaultTtlSec * 1000, maxAt: now + role.maxTtlSec * 1000 };
    this.leases.set(lease.id, lease);
    this.#arm(lease);
    return { request_id: randomUUID(), lease_id: lease.id, renewable: true, lease_duration: role.defaultTtlSec, data: { username, password }, wrap_info: null, warnings: null, auth: null };
  }

  #renew(leaseId: string): unknown {
    if (this.refuseRenewals) throw new HttpError(this.refuseRenewals.status, this.refuseRenewals.errors);
    const lease = this.leases.get(leaseId);
    if (!lease || lease.expiresAt <= Date.now()) throw new HttpError(400, ['lease not found']);
    const role = this.roles.get(lease.role)!;
    // Vault grants the role's default TTL again, capped at max_ttl counted from issue.
    const until = Math.min(Date.now() + role.defaultTtlSec * 1000, lease.maxAt);
    const ttl = Math.max(0, Math.floor((until - Date.now()) / 1000));
    lease.expiresAt = Date.now() + ttl * 1000;
    this.#arm(lease);
    const warnings = ttl < role.defaultTtlSec ? [`TTL of "${role.defaultTtlSec}s" exceeded the effective max_ttl of "${ttl}s"; TTL value is capped accordingly`] : null;
    return { request_id: randomUUID(), lease_id: lease.id, renewable: true, lease_duration: ttl, data: null, wrap_info: null, warnings, auth: null };
  }

  /** At expiry Vault revokes the lease itself, which drops the user. */
  #arm(lease: Lease): void {
    clearTimeout(lease.timer);
    lease.timer = setTimeout(() => void this.#revoke(lease.id), Math.max(0, lease.expiresAt - Date.now()));
  }

  async #revoke(leaseId: string): Promise<undefined> {
    const lease = this.leases.get(leaseId);
    if (!lease) return undefined; // revoking an unknown lease succeeds, as in Vault
    this.leases.delete(leaseId);
    clearTimeout(lease.timer);
    const role = this.roles.get(lease.role);
    for (const st of role?.revocationStatements ?? DEFAULT_REVOCATION)
      await this.#root.query(fillStatement(st, { name: lease.username, password: 'A1a-unusedunusedunus', expiration: '1970-01-01 00:00:00' }));
    return undefined;
  }

  #kvRead(path: string): unknown {
    const data = this.kv.get(path);
    if (!data) throw new HttpError(404, []);
    const metadata = { created_time: new Date().toISOString(), custom_metadata: null, deletion_time: '', destroyed: false, version: 1 };
    return { request_id: randomUUID(), lease_id: '', renewable: false, lease_duration: 0, data: { data, metadata }, wrap_info: null, warnings: null, auth: null };
  }
}
