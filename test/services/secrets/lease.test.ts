import { describe, expect, it } from 'vitest';
import { ADMIN, connectedUsers, vaultConfig, vaultTests, WRITER } from '../../helpers/vault-world.js';
import { until } from '../../helpers/until.js';

const t = vaultTests();

describe('MySQL credentials from Vault', () => {
  it('runs commands as the user Vault issued, with exactly the grants of docs/security.md', async () => {
    const world = await t.world();
    await world.db.sql("INSERT INTO tasks (task_title, task_status) VALUES ('a', 'Success'), ('b', 'Failed')");
    const bot = await t.bot(vaultConfig(world));
    const user = bot.app.mysqlCredentials!.username!;
    expect(user).toMatch(/^v-token-opsline-/);
    const grants = (await world.db.sql<Record<string, string>>(`SHOW GRANTS FOR '${user}'@'%'`)).map((r) => Object.values(r)[0]);
    expect(grants.filter((g) => !g?.startsWith('GRANT USAGE')).sort()).toEqual([
      `GRANT SELECT ON \`${world.db.name}\`.\`tasks\` TO \`${user}\`@\`%\``,
      `GRANT SELECT, INSERT ON \`${world.db.name}\`.\`access_grants\` TO \`${user}\`@\`%\``,
      `GRANT SELECT, INSERT ON \`${world.db.name}\`.\`access_revocations\` TO \`${user}\`@\`%\``,
      `GRANT SELECT, INSERT ON \`${world.db.name}\`.\`audit_log\` TO \`${user}\`@\`%\``,
      `GRANT SELECT, INSERT ON \`${world.db.name}\`.\`notes\` TO \`${user}\`@\`%\``,
      `GRANT SELECT, INSERT, DELETE ON \`${world.db.name}\`.\`status_snapshot_counts\` TO \`${user}\`@\`%\``,
      `GRANT SELECT, INSERT, DELETE ON \`${world.db.name}\`.\`status_snapshots\` TO \`${user}\`@\`%\``,
    ]);
    expect((await bot.say(WRITER, '/note add from a vault user')).text).toMatch(/^note #\d+ saved$/);
    expect((await bot.say(ADMIN, '/status')).text).toMatch(/^Tasks, all time: 2 total/);
    // Time-boxed grants are stored and read through the same user (access_grants, access_revocations).
    expect((await bot.say(ADMIN, '/access grant console:writer operator 1h')).text).toMatch(/^grant #\d+: console:writer has the operator role until /);
    expect(await connectedUsers(world.db)).toEqual([user]);
    expect((await bot.say(ADMIN, '/audit 2')).text).toMatch(/\/status allow\/ok/);
  });

  it('renews the lease before it expires, keeping the same user', async () => {
    const world = await t.world({ defaultTtlSec: 1, maxTtlSec: 60 });
    const bot = await t.bot(vaultConfig(world));
    const user = bot.app.mysqlCredentials!.username!;
    const renewals = () => world.vault.requests.filter((r) => r.path === 'sys/leases/renew').length;
    // Three TTLs: without renewal at ~2/3 of each, Vault would have dropped the user twice over.
    await until(() => renewals() >= 3, { what: 'three renewals' });
    expect(await world.vault.userExists(user)).toBe(true);
    expect(bot.app.mysqlCredentials!.username).toBe(user);
    expect(bot.app.mysqlCredentials!.rotations).toBe(0);
    expect((await bot.say(WRITER, '/note add still renewed')).text).toMatch(/saved$/);
  });

  it('rotates to new credentials when the lease nears its max TTL, and revokes the old one', async () => {
    const world = await t.world({ defaultTtlSec: 2, maxTtlSec: 3 });
    const bot = await t.bot(vaultConfig(world));
    const creds = bot.app.mysqlCredentials!;
    const first = creds.username!;
    // At ~1.3 s the renewal is capped to what is left of the 3 s max TTL: the bot replaces the lease early.
    await until(() => creds.rotations >= 1, { what: 'a rotation' });
    expect(creds.username).not.toBe(first);
    await until(async () => !(await world.vault.userExists(first)), { what: 'the old user dropped' });
    expect((await bot.say(WRITER, '/note add after max ttl')).text).toMatch(/saved$/);
    expect(await connectedUsers(world.db)).toEqual([creds.username]);
  });

  it('revokes its own lease on a clean shutdown', async () => {
    const world = await t.world();
    const bot = await t.bot(vaultConfig(world));
    const user = bot.app.mysqlCredentials!.username!;
    expect((await bot.say(WRITER, '/note add before stop')).text).toMatch(/saved$/);
    await bot.stop();
    expect(await world.vault.userExists(user)).toBe(false);
    expect(world.vault.leases.size).toBe(0);
    expect((await world.db.sql<{ n: number }>('SELECT COUNT(*) AS n FROM audit_log'))[0]?.n).toBe(1);
  });
});
