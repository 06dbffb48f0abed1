import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { botPolicy } from '../../helpers/vault-double.js';
import { ROLE, vaultConfig, vaultTests, WRITER } from '../../helpers/vault-world.js';

const t = vaultTests();

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('starting with mysql.vault', () => {
  it('stops with an error naming the Vault address and the reason when Vault is unreachable', async () => {
    const world = await t.world();
    const addr = `http://127.0.0.1:${await closedPort()}`;
    await expect(t.bot(vaultConfig(world, { addr }))).rejects.toThrow(
      new RegExp(`^Vault at ${addr} is unreachable \\(token lookup-self\\): ECONNREFUSED`),
    );
  });

  it('explains a token whose policy does not allow reading the credentials', async () => {
    const world = await t.world();
    const token = world.vault.addToken([]);
    await expect(t.bot(vaultConfig(world, { token }))).rejects.toThrow(
      `Vault at ${world.vault.addr} refused read database/creds/${ROLE}: permission denied — the token is not allowed: its policy needs "read" on database/creds/${ROLE}`,
    );
    expect(world.vault.leases.size).toBe(0);
  });

  it('explains a token Vault does not know', async () => {
    const world = await t.world();
    await expect(t.bot(vaultConfig(world, { token: 'hvs.not-a-real-token' }))).rejects.toThrow(
      `Vault at ${world.vault.addr} refused token lookup-self: permission denied — check vault.token`,
    );
  });

  it('explains a wrong AppRole secret id', async () => {
    const world = await t.world();
    const { roleId } = world.vault.addAppRole(botPolicy('database', ROLE));
    const input = vaultConfig(world, { token: undefined, approle: { roleId, secretId: 'wrong' } });
    await expect(t.bot(input)).rejects.toThrow(
      `Vault at ${world.vault.addr}: AppRole login at auth/approle failed (HTTP 400: invalid role or secret ID)`,
    );
  });

  it('logs in with AppRole, and logs in again when the AppRole token expires', async () => {
    const world = await t.world({ defaultTtlSec: 3, maxTtlSec: 60 });
    const approle = world.vault.addAppRole(botPolicy('database', ROLE), 1);
    const bot = await t.bot(vaultConfig(world, { token: undefined, approle }));
    expect((await bot.say(WRITER, '/note add via approle')).text).toMatch(/saved$/);
    const logins = () => world.vault.requests.filter((r) => r.path === 'auth/approle/login').length;
    // The token lives 1 s; the renewal at ~2 s is refused with 403, so the bot logs in again and renews.
    await once(bot.app.mysqlCredentials!, 'renewed');
    expect(logins()).toBe(2);
    expect(bot.app.mysqlCredentials!.rotations).toBe(0);
    expect((await bot.say(WRITER, '/note add still via approle')).text).toMatch(/saved$/);
  });
});
