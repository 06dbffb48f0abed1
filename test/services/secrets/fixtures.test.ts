import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../../src/config/load.js';
import { VaultClient, VaultError } from '../../../src/services/secrets/index.js';
import { botPolicy, revokerPolicy, VaultDouble } from '../../helpers/vault-double.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mysql.js';
import { ROLE } from '../../helpers/vault-world.js';

interface Fixture {
  readonly source: string;
  readonly status: number;
  readonly body: unknown;
}
const fixture = (name: string): Fixture => JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/vault', `${name}.json`), 'utf8')) as Fixture;

/** A server that answers each path with a documented sample, to show the client reads Vault's real shapes, not only the double's. */
const ROUTES: Record<string, string> = {
  'GET /v1/auth/token/lookup-self': 'token-lookup-self',
  'POST /v1/auth/approle/login': 'approle-login',
  'GET /v1/database/creds/my-role': 'database-creds',
  'PUT /v1/sys/leases/renew': 'leases-renew',
  'GET /v1/sys/leases/lookup/database/creds/my-role/?list=1': 'leases-list',
  'PUT /v1/sys/leases/revoke': 'leases-revoke',
  'POST /v1/sys/leases/revoke-prefix/database/creds/my-role': 'leases-revoke-prefix',
  'GET /v1/secret/data/my-secret': 'kv2-read',
  'GET /v1/database/creds/forbidden': 'error-permission-denied',
  'PUT /v1/sys/leases/renew?gone': 'error-lease-not-found',
};
let samples: Server;
const loginTokens: unknown[] = [];
let addr = '';
beforeAll(async () => {
  samples = createServer((req, res) => {
    if (req.url?.startsWith('/v1/auth/approle/login')) loginTokens.push(req.headers['x-vault-token']);
    let key = `${req.method} ${req.url}`;
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (body.includes('"gone-lease"')) key += '?gone';
      const name = ROUTES[key];
      if (!name) return res.writeHead(404).end('{"errors":[]}');
      const f = fixture(name);
      if (f.status === 204) return res.writeHead(204).end();
      res.writeHead(f.status, { 'content-type': 'application/json' }).end(JSON.stringify(f.body));
    });
  });
  await new Promise<void>((r) => samples.listen(0, '127.0.0.1', r));
  addr = `http://127.0.0.1:${(samples.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => samples.close(() => r())));

const client = (vault: Record<string, unknown>) => new VaultClient(buildConfig({ vault: { addr, ...vault } }).vault!);

describe('the client reads the documented Vault responses', () => {
  it('token, credentials, renewal, lease list, revocations and a KV v2 read', async () => {
    const c = client({ token: 'hvs.sample' });
    await c.login();
    const lease = await c.dbCreds('database', 'my-role');
    expect({ id: lease.id, user: lease.username, ttlMs: lease.ttlMs, renewable: lease.renewable }).toEqual({
      id: 'database/creds/my-role/2f6a614c-4aa2-7b19-24b9-ad944a8d4de6',
      user: 'root-1430158508-126',
      ttlMs: 3_600_000,
      renewable: true,
    });
    expect(lease.password).toBe('132ae3ef-5a64-7499-351e-bfe59f3a2a21');
    // The password is not an enumerable field: a logged lease cannot show it.
    expect(JSON.stringify(lease)).not.toContain('132ae3ef');
    expect(await c.renew(lease.id)).toEqual({ ttlMs: 2_764_790_000, renewable: true });
    expect(await c.listLeases('database/creds/my-role')).toHaveLength(3);
    await c.revoke(lease.id);
    await c.revokePrefix('database/creds/my-role');
    expect(await c.kvRead('my-secret')).toEqual({ foo: 'bar' });
  });

  it('an AppRole login, ignoring the VAULT_* environment that node-vault would read', async () => {
    process.env.VAULT_TOKEN = 'hvs.from-the-environment';
    process.env.VAULT_PREFIX = '/elsewhere';
    try {
      await client({ approle: { roleId: 'r', secretId: 's' } }).login();
    } finally {
      delete process.env.VAULT_TOKEN;
      delete process.env.VAULT_PREFIX;
    }
    expect(loginTokens).toEqual([undefined]);
  });

  it("Vault's errors: permission denied and lease not found", async () => {
    const c = client({ token: 'hvs.sample' });
    const denied = await c.dbCreds('database', 'forbidden').catch((e: unknown) => e as VaultError);
    expect(denied).toBeInstanceOf(VaultError);
    expect(denied).toMatchObject({ status: 403, reason: 'permission denied' });
    expect(Object.keys(denied as object)).not.toContain('response');
    const gone = await c.renew('gone-lease').catch((e: unknown) => e as VaultError);
    expect(gone).toMatchObject({ status: 400, reason: 'lease not found', leaseGone: true });
  });
});

describe('the double answers in the documented shapes', () => {
  let db: TestDatabase;
  let vault: VaultDouble;
  beforeAll(async () => {
    db = await createTestDatabase();
    vault = await VaultDouble.start();
    vault.addRole(ROLE, { creationStatements: ["CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'"], defaultTtlSec: 60, maxTtlSec: 120 });
    vault.kv.set('opsline/site', { token: 'x' });
  });
  afterAll(async () => {
    await vault?.close();
    await db?.drop();
  });

  /** Every key of the sample, recursively (not into free-form maps), is present in the double's answer. */
  function keysOf(v: unknown, at = ''): string[] {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return [];
    return Object.entries(v).flatMap(([k, x]) => [`${at}${k}`, ...(['meta', 'custom_metadata', 'data.data'].includes(k) || `${at}${k}` === 'data.data' ? [] : keysOf(x, `${at}${k}.`))]);
  }

  it.each([
    ['token-lookup-self', 'GET', 'auth/token/lookup-self', undefined],
    ['database-creds', 'GET', `database/creds/${ROLE}`, undefined],
    ['leases-list', 'GET', `sys/leases/lookup/database/creds/${ROLE}/?list=true`, undefined],
    ['kv2-read', 'GET', 'secret/data/opsline/site', undefined],
    ['error-permission-denied', 'GET', 'database/creds/nope-no-policy', undefined],
  ])('%s', async (name, method, path, body) => {
    const token = name === 'error-permission-denied' ? vault.addToken(botPolicy('database', ROLE)) : vault.addToken('root');
    if (name === 'leases-list') await fetch(`${vault.addr}/v1/database/creds/${ROLE}`, { headers: { 'x-vault-token': token } });
    const res = await fetch(`${vault.addr}/v1/${path}`, { method, headers: { 'x-vault-token': token }, body });
    const sample = fixture(name);
    expect(res.status).toBe(sample.status);
    const answer = (await res.json()) as unknown;
    const missing = keysOf(sample.body).filter((k) => !keysOf(answer).includes(k));
    // identity_policies, issue_time: fields of an entity-backed token, absent for a plain token.
    expect(missing.filter((k) => !['data.identity_policies', 'data.issue_time'].includes(k))).toEqual([]);
  });

  it('renewal, revocation and errors', async () => {
    const token = vault.addToken([...botPolicy('database', ROLE), ...revokerPolicy('database', ROLE)]);
    const h = { 'x-vault-token': token };
    const creds = (await (await fetch(`${vault.addr}/v1/database/creds/${ROLE}`, { headers: h })).json()) as { lease_id: string };
    const renew = await fetch(`${vault.addr}/v1/sys/leases/renew`, { method: 'PUT', headers: h, body: JSON.stringify({ lease_id: creds.lease_id }) });
    expect(keysOf(await renew.json())).toEqual(expect.arrayContaining(keysOf(fixture('leases-renew').body)));
    const revoke = await fetch(`${vault.addr}/v1/sys/leases/revoke`, { method: 'PUT', headers: h, body: JSON.stringify({ lease_id: creds.lease_id }) });
    expect(revoke.status).toBe(fixture('leases-revoke').status);
    const again = await fetch(`${vault.addr}/v1/sys/leases/renew`, { method: 'PUT', headers: h, body: JSON.stringify({ lease_id: creds.lease_id }) });
    expect({ status: again.status, body: await again.json() }).toEqual({ status: 400, body: fixture('error-lease-not-found').body });
    const prefix = await fetch(`${vault.addr}/v1/sys/leases/revoke-prefix/database/creds/${ROLE}`, { method: 'PUT', headers: h });
    expect(prefix.status).toBe(fixture('leases-revoke-prefix').status);
    const login = await fetch(`${vault.addr}/v1/auth/approle/login`, { method: 'POST', body: JSON.stringify({ role_id: 'x', secret_id: 'y' }) });
    expect({ status: login.status, body: await login.json() }).toEqual({ status: 400, body: fixture('error-approle-invalid').body });
    const { roleId, secretId } = vault.addAppRole([]);
    const ok = await fetch(`${vault.addr}/v1/auth/approle/login`, { method: 'POST', body: JSON.stringify({ role_id: roleId, secret_id: secretId }) });
    expect(keysOf(await ok.json())).toEqual(expect.arrayContaining(keysOf(fixture('approle-login').body).filter((k) => k !== 'auth.metadata')));
  });
});
