import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runVaultRevoke } from '../../../src/cli/vault.js';
import { revokerPolicy } from '../../helpers/vault-double.js';
import { ROLE, vaultConfig, vaultTests, WRITER, type VaultWorld } from '../../helpers/vault-world.js';
import { until } from '../../helpers/until.js';

const t = vaultTests();

/** `opsline vault revoke --config <file>` with the given token; what it printed and its exit status. */
async function revoke(w: VaultWorld, token: string): Promise<{ code: number; out: string; err: string }> {
  const file = t.configFile({ mysql: vaultConfig(w).mysql, vault: { addr: w.vault.addr, token } });
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d: Buffer) => (o += d.toString()));
  err.on('data', (d: Buffer) => (e += d.toString()));
  const code = await runVaultRevoke(file, { out, err });
  return { code, out: o, err: e };
}

describe('opsline vault revoke', () => {
  it('revokes every lease of the role, drops the users, and the bot says the database is unavailable until it has new credentials', async () => {
    const world = await t.world();
    const a = await t.bot(vaultConfig(world));
    const b = await t.bot(vaultConfig(world));
    const users = [a.app.mysqlCredentials!.username!, b.app.mysqlCredentials!.username!];
    expect((await a.say(WRITER, '/note add before the incident')).text).toMatch(/saved$/);

    // Vault cannot issue new users for now, so the outage is visible.
    world.vault.refuseCreds = { status: 503, errors: ['Vault is sealed'] };
    const r = await revoke(world, world.vault.addToken(revokerPolicy('database', ROLE)));
    expect(r).toEqual({ code: 0, out: `revoked 2 leases under database/creds/${ROLE}\n`, err: '' });
    for (const u of users) expect(await world.vault.userExists(u)).toBe(false);

    expect((await a.say(WRITER, '/note add during the incident')).text).toMatch(/^note not saved: database unavailable \(the MySQL credentials were revoked/);
    // Suspended until new credentials arrive: the reason is the revocation, not a connect attempt that timed out.
    expect((await a.say(WRITER, '/note list')).text).toMatch(/^database unavailable \(the MySQL credentials were revoked/);

    world.vault.refuseCreds = undefined;
    await until(() => a.app.mysqlCredentials!.rotations >= 1, { what: 'new credentials' });
    expect(a.app.mysqlCredentials!.username).not.toBe(users[0]);
    expect((await a.say(WRITER, '/note add after the incident')).text).toMatch(/saved$/);
  });

  it('reports 0 when there is nothing to revoke, and leaves a role whose name merely starts the same alone', async () => {
    const world = await t.world();
    world.vault.addRole(`${ROLE}2`, { creationStatements: ["CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'"], defaultTtlSec: 60, maxTtlSec: 120 });
    const other = await fetch(`${world.vault.addr}/v1/database/creds/${ROLE}2`, { headers: { 'x-vault-token': world.vault.addToken('root') } });
    const { data } = (await other.json()) as { data: { username: string } };
    expect(await revoke(world, world.vault.addToken(revokerPolicy('database', ROLE)))).toEqual({ code: 0, out: `revoked 0 leases under database/creds/${ROLE}\n`, err: '' });
    expect(await world.vault.userExists(data.username)).toBe(true);
  });

  it('explains a token without sudo on the lease prefix, and revokes nothing', async () => {
    const world = await t.world();
    const bot = await t.bot(vaultConfig(world));
    const r = await revoke(world, world.token);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`opsline vault revoke: Vault at ${world.vault.addr} refused list sys/leases/lookup/database/creds/${ROLE}/: permission denied`);
    expect(r.err).toContain('"sudo"');
    expect(await world.vault.userExists(bot.app.mysqlCredentials!.username!)).toBe(true);
  });
});
