import nodeVault from 'node-vault';
import { z } from 'zod';
import type { Config } from '../../config/schema.js';
import { vaultError, VaultError } from './vault-errors.js';

export type VaultConfig = NonNullable<Config['vault']>;

/** A dynamic database login. The password is kept off the object's enumerable fields, so no log serialiser sees it. */
export class DbLease {
  readonly #password: string;
  constructor(
    readonly id: string,
    readonly username: string,
    password: string,
    readonly ttlMs: number,
    readonly renewable: boolean,
  ) {
    this.#password = password;
  }

  get password(): string {
    return this.#password;
  }
}

// Vault's documented response shapes (test/fixtures/vault/ keeps one sample of each).
const credsShape = z.object({
  lease_id: z.string().min(1),
  lease_duration: z.number().int().min(0),
  renewable: z.boolean(),
  data: z.object({ username: z.string().min(1), password: z.string().min(1) }),
});
const renewShape = z.object({ lease_id: z.string(), lease_duration: z.number().int().min(0), renewable: z.boolean() });
const loginShape = z.object({ auth: z.object({ client_token: z.string().min(1), lease_duration: z.number(), renewable: z.boolean() }) });
const listShape = z.object({ data: z.object({ keys: z.array(z.string()) }) });
const kvShape = z.object({ data: z.record(z.string(), z.unknown()) });

/**
 * The Vault calls the bot makes, over node-vault. Every failure becomes a VaultError naming the
 * address and the reason; a token that stopped working is replaced by logging in again with AppRole.
 */
export class VaultClient {
  readonly addr: string;
  readonly #api: nodeVault.client;
  #loggedIn: Promise<void> | undefined;

  constructor(private readonly config: VaultConfig) {
    this.addr = config.addr.replace(/\/$/, '');
    // noCustomHTTPVerbs: LIST becomes GET ?list=1, which every HTTP stack (and Vault) accepts.
    // node-vault would also read VAULT_TOKEN, VAULT_PREFIX, VAULT_NAMESPACE and VAULT_SKIP_VERIFY from the
    // environment; only the config decides here (and only src/config/ reads the environment).
    const options = { endpoint: this.addr, noCustomHTTPVerbs: true, requestOptions: { timeout: config.timeoutMs }, rpDefaults: { strictSSL: true } };
    this.#api = Object.assign(nodeVault(options), { token: config.token ?? '', pathPrefix: '', namespace: undefined });
  }

  /** Checks the token (lookup-self) or logs in with AppRole; called once, again only after a 403. */
  login(): Promise<void> {
    this.#loggedIn ??= this.#login().catch((err: unknown) => {
      this.#loggedIn = undefined;
      throw err;
    });
    return this.#loggedIn;
  }

  async #login(): Promise<void> {
    const approle = this.config.approle;
    if (!approle) {
      await this.#raw('token lookup-self', () => this.#api.tokenLookupSelf(), 'check vault.token');
      return;
    }
    // A login needs no token; sending the expired one could only get the login refused.
    this.#api.token = '';
    const res = await this.#raw(
      `AppRole login at auth/${approle.mount}`,
      () => this.#api.approleLogin({ mount_point: approle.mount, role_id: approle.roleId, secret_id: approle.secretId }),
      'check vault.approle.roleId and secretId',
    );
    this.#api.token = this.#shape('AppRole login', loginShape, res).auth.client_token;
  }

  /** Vault answers and is unsealed (GET sys/health, no token, a standby counts as up): readiness reports it. */
  async health(): Promise<void> {
    await this.#raw('health check', () => this.#api.health({ standbyok: true }), 'it answered, but is not unsealed and active');
  }

  async dbCreds(mount: string, role: string): Promise<DbLease> {
    const path = `${mount}/creds/${role}`;
    const res = this.#shape(`read ${path}`, credsShape, await this.#call(`read ${path}`, () => this.#api.read(path), `its policy needs "read" on ${path}`));
    return new DbLease(res.lease_id, res.data.username, res.data.password, res.lease_duration * 1000, res.renewable);
  }

  async renew(leaseId: string): Promise<{ ttlMs: number; renewable: boolean }> {
    const res = this.#shape(
      'lease renewal',
      renewShape,
      await this.#call('lease renewal', () => this.#api.renew({ lease_id: leaseId }), 'its policy needs "update" on sys/leases/renew'),
    );
    return { ttlMs: res.lease_duration * 1000, renewable: res.renewable };
  }

  async revoke(leaseId: string): Promise<void> {
    await this.#call('lease revocation', () => this.#api.revoke({ lease_id: leaseId }), 'its policy needs "update" on sys/leases/revoke');
  }

  /** Lease ids under `prefix` (LIST sys/leases/lookup; needs sudo). Vault answers 404 when there are none. */
  async listLeases(prefix: string): Promise<string[]> {
    const path = `sys/leases/lookup/${prefix}/`;
    try {
      return this.#shape(`list ${path}`, listShape, await this.#call(`list ${path}`, () => this.#api.list(path), `its policy needs "list" and "sudo" on ${path}`)).data.keys;
    } catch (err) {
      if (err instanceof VaultError && err.status === 404) return [];
      throw err;
    }
  }

  async revokePrefix(prefix: string): Promise<void> {
    const path = `sys/leases/revoke-prefix/${prefix}`;
    await this.#call(`revoke-prefix ${prefix}`, () => this.#api.write(path, { sync: true }), `its policy needs "update" and "sudo" on ${path}`);
  }

  /** The key/value pairs stored at `path` in the KV engine (v1 or v2). */
  async kvRead(path: string): Promise<Record<string, unknown>> {
    const { mount, version } = this.config.kv;
    const full = version === 2 ? `${mount}/data/${path}` : `${mount}/${path}`;
    const res = this.#shape(`read ${full}`, kvShape, await this.#call(`read ${full}`, () => this.#api.read(full), `its policy needs "read" on ${full}`));
    return version === 2 ? this.#shape(`read ${full}`, kvShape, res.data).data : res.data;
  }

  /** One call after login; with AppRole a 403 (token expired or revoked) earns one fresh login and a retry. */
  async #call<T>(what: string, call: () => Promise<T>, hint: string): Promise<T> {
    await this.login();
    try {
      return await this.#raw(what, call, `the token is not allowed: ${hint}`);
    } catch (err) {
      if (!(err instanceof VaultError) || err.status !== 403 || !this.config.approle) throw err;
      this.#loggedIn = undefined;
      await this.login();
      return this.#raw(what, call, `the AppRole token is not allowed: ${hint}`);
    }
  }

  /** Checks an answer against the documented shape; the error names the fields, never their values. */
  #shape<T>(what: string, schema: z.ZodType<T>, value: unknown): T {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    const fields = r.error.issues.map((i) => i.path.join('.') || '(body)').join(', ');
    throw new VaultError(`Vault at ${this.addr}: unexpected answer to ${what} (check ${fields})`, 200, 'unexpected answer');
  }

  async #raw<T>(what: string, call: () => Promise<T>, hint: string): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw vaultError(this.addr, what, err, hint);
    }
  }
}
