import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { sourceChecks } from '../../commands/declared/doctor.js';
import { buildConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { MYSQL_HOST, MYSQL_PORT, seedTasks } from '../helpers/mysql.js';
import { until } from '../helpers/until.js';
import { botPolicy } from '../helpers/vault-double.js';
import { ADMIN, ROLE, vaultConfig, vaultTests, type VaultWorld } from '../helpers/vault-world.js';

/** A declared sql command's source with its own Vault role (docs/commands.md#sources), beside the bot's own. */
const t = vaultTests();
const SOURCE_ROLE = 'orders-ro';

async function world(ttl = { defaultTtlSec: 60, maxTtlSec: 120 }, grants = 'SELECT'): Promise<VaultWorld & { token: string }> {
  const w = await t.world();
  await seedTasks(w.db, { Success: 3, Failed: 2 });
  w.vault.addRole(SOURCE_ROLE, { creationStatements: ["CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'", `GRANT ${grants} ON ${w.db.name}.tasks TO '{{name}}'@'%'`], ...ttl });
  // The bot's policy (docs/vault.md) and read on the source's role.
  const token = w.vault.addToken([...botPolicy('database', ROLE), { path: `database/creds/${SOURCE_ROLE}`, capabilities: ['read'] }]);
  return { ...w, token };
}

function config(w: VaultWorld & { token: string }): ConfigInput {
  const base = vaultConfig(w, { token: w.token });
  return {
    ...base,
    sources: { orders: { host: MYSQL_HOST, port: MYSQL_PORT, database: w.db.name, vault: { role: SOURCE_ROLE } } },
    commands: [
      {
        name: 'orders-by-status',
        description: 'Orders in one status',
        kind: 'sql',
        source: 'orders',
        args: [{ name: 'status', type: 'string', pattern: '[A-Za-z]{1,20}' }],
        query: 'SELECT task_status AS status, COUNT(*) AS n, CURRENT_USER() AS who FROM tasks WHERE task_status = :status GROUP BY task_status',
        roles: ['viewer'],
      },
      {
        name: 'orders-slowly',
        description: 'Counts after a pause',
        kind: 'sql',
        source: 'orders',
        query: 'SELECT SLEEP(1) AS paused, COUNT(*) AS n FROM tasks',
        roles: ['viewer'],
      },
    ],
  };
}

/** The MariaDB user a reply's `who` column names (CURRENT_USER() is user@host). */
const who = (text: string) => /(v-token-[A-Za-z0-9_-]+)@/.exec(text)?.[1];

describe('sql source credentials from its own Vault role', () => {
  it('queries as the user Vault issued for the source role, not the bot’s own, and revokes that lease on stop', async () => {
    const w = await world();
    const bot = await t.bot(config(w));
    const r = await bot.say(ADMIN, '/orders-by-status Success');
    expect(r.code).toBeUndefined();
    const user = who(r.pre ?? '');
    expect(user).toBe(bot.app.sources().get('orders')!.credentials!.username);
    expect(user).not.toBe(bot.app.mysqlCredentials!.username);
    expect(r.pre).toMatch(/Success\s+\|?\s*3/);
    expect(await w.vault.userExists(user!)).toBe(true);
    await bot.stop();
    expect(await w.vault.userExists(user!)).toBe(false);
    expect([...w.vault.leases.values()].filter((l) => l.role === SOURCE_ROLE)).toEqual([]);
  });

  it('renews the source’s lease before it expires, keeping the same user', async () => {
    // The bot's own lease lasts 60 s: every renewal within this test is the source's (1 s TTL).
    const w = await world({ defaultTtlSec: 1, maxTtlSec: 60 });
    const bot = await t.bot(config(w));
    const creds = bot.app.sources().get('orders')!.credentials!;
    const user = creds.username!;
    const renewals = () => w.vault.requests.filter((r) => r.path === 'sys/leases/renew').length;
    await until(() => renewals() >= 2, { what: 'two renewals' });
    expect(creds.rotations).toBe(0);
    expect(who((await bot.say(ADMIN, '/orders-by-status Success')).pre ?? '')).toBe(user);
  });

  it('rotates the source’s login: a query running across the swap finishes on the old pool, then the old user is dropped', async () => {
    const w = await world();
    const bot = await t.bot(config(w));
    const creds = bot.app.sources().get('orders')!.credentials!;
    const first = creds.username!;
    const slow = bot.say(ADMIN, '/orders-slowly');
    const running = async () => (await w.db.sql<{ n: number }>("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ? AND INFO LIKE '%SLEEP%'", [first]))[0]?.n === 1;
    await until(running, { what: 'the slow query running as the first user' });
    const rotated = once(creds, 'rotated');
    // What renewal does when Vault refuses it or the lease nears its max TTL (docs/vault.md).
    await creds.rotate('test');
    const [event] = (await rotated) as [{ from: string; to: string; drained: number }];
    expect(event).toMatchObject({ from: first, drained: 1 });
    expect((await slow).pre).toMatch(/\b5\b/);
    await until(async () => !(await w.vault.userExists(first)), { what: 'the old source user dropped' });
    const after = await bot.say(ADMIN, '/orders-by-status Failed');
    expect(who(after.pre ?? '')).toBe(event.to);
    expect(event.to).not.toBe(first);
  });

  it('says the source is unavailable while its lease is revoked, and serves again with new credentials', async () => {
    const w = await world();
    const bot = await t.bot(config(w));
    const creds = bot.app.sources().get('orders')!.credentials!;
    const first = creds.username!;
    expect((await bot.say(ADMIN, '/orders-by-status Success')).code).toBeUndefined();
    w.vault.refuseCreds = { status: 503, errors: ['Vault is sealed'] };
    const root = w.vault.addToken('root');
    const res = await fetch(`${w.vault.addr}/v1/sys/leases/revoke-prefix/database/creds/${SOURCE_ROLE}`, { method: 'PUT', headers: { 'x-vault-token': root } });
    expect(res.status).toBe(204);
    const down = await bot.say(ADMIN, '/orders-by-status Success');
    expect(down.text).toMatch(/^\/orders-by-status: the data source orders is unavailable \(.*(revoked|no longer valid)/);
    w.vault.refuseCreds = undefined;
    await until(() => creds.rotations >= 1, { what: 'new source credentials' });
    const back = await bot.say(ADMIN, '/orders-by-status Success');
    expect(who(back.pre ?? '')).toBe(creds.username);
    expect(creds.username).not.toBe(first);
    // The bot's own login was never touched.
    expect(bot.app.mysqlCredentials!.rotations).toBe(0);
  });

  it('refuses to run when the role’s users may do more than SELECT, and doctor says so', async () => {
    const w = await world(undefined, 'SELECT, INSERT');
    const bot = await t.bot(config(w));
    const r = await bot.say(ADMIN, '/orders-by-status Success');
    expect(r.text).toMatch(/^\/orders-by-status: the data source orders is not read-only \(the user may INSERT/);
    const [check] = sourceChecks(buildConfig(config(w), 'test'));
    await expect(check!.run()).rejects.toThrow(/not read-only: the user may INSERT/);
  });

  it('doctor checks a Vault source with a login it revokes again', async () => {
    const w = await world();
    const [check] = sourceChecks(buildConfig(config(w), 'test'));
    expect(check!.target).toBe(`${MYSQL_HOST}:${MYSQL_PORT}`);
    expect(await check!.run()).toBe(`the users Vault issues for role ${SOURCE_ROLE} can only SELECT (/orders-by-status /orders-slowly)`);
    expect([...w.vault.leases.values()].filter((l) => l.role === SOURCE_ROLE)).toEqual([]);
  });

  it('stops the start with the Vault address when the source role is refused', async () => {
    const w = await world();
    const input = config(w);
    // The bot's token may not read the source's role.
    await expect(t.bot({ ...input, vault: { ...input.vault!, token: w.vault.addToken(botPolicy('database', ROLE)) } })).rejects.toThrow(new RegExp(`Vault at ${w.vault.addr} refused read database/creds/${SOURCE_ROLE}`));
    // Nothing of it is left: the bot's own lease was revoked on the way out.
    await until(() => w.vault.leases.size === 0, { what: 'no lease left' });
  });

  it('is refused at load without a vault section, or with both url and vault', () => {
    const db = { host: MYSQL_HOST, database: 'x', vault: { role: SOURCE_ROLE } };
    expect(() => buildConfig({ sources: { orders: db } }, 'test')).toThrow(/vault: required by sources\.orders\.vault/);
    expect(() => buildConfig({ sources: { orders: { ...db, url: 'mysql://u:p@h:3306/x' } }, vault: { addr: 'http://127.0.0.1:1', token: 't' } }, 'test')).toThrow(/sources\.orders\.url: give either url, or host, database and vault/);
  });
});

