import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { botPolicy } from '../../helpers/vault-double.js';
import { captureLog } from '../../helpers/log-capture.js';
import { ROLE, vaultConfig, vaultTests, WRITER } from '../../helpers/vault-world.js';
import { until } from '../../helpers/until.js';

const t = vaultTests();

describe('secrets in logs', () => {
  it('no Vault-issued password, token or AppRole secret id reaches a log line, through issue, rotation, revocation and errors', async () => {
    const world = await t.world({ defaultTtlSec: 2, maxTtlSec: 60 });
    const approle = world.vault.addAppRole(botPolicy('database', ROLE), 1);
    const cap = captureLog('trace');
    const bot = await t.bot(vaultConfig(world, { token: undefined, approle }), cap.log);
    const creds = bot.app.mysqlCredentials!;
    expect((await bot.say(WRITER, '/note add one')).text).toMatch(/saved$/);

    // Renewal refused (after a second AppRole login) → rotation.
    world.vault.refuseRenewals = { status: 403, errors: ['1 error occurred:\n\t* permission denied\n\n'] };
    await once(creds, 'rotated');
    world.vault.refuseRenewals = undefined;
    // Revoked under the bot, while Vault refuses new credentials for a while → outage, retries, recovery.
    world.vault.refuseCreds = { status: 500, errors: ['1 error occurred:\n\t* internal error\n\n'] };
    for (const id of [...world.vault.leases.keys()]) await fetch(`${world.vault.addr}/v1/sys/leases/revoke`, { method: 'PUT', headers: { 'x-vault-token': world.vault.addToken('root') }, body: JSON.stringify({ lease_id: id }) });
    expect((await bot.say(WRITER, '/note add two')).text).toMatch(/^note not saved: database unavailable/);
    // Vault gives credentials again only once the bot has retried after a refusal.
    await cap.waitFor(/"attempt":2,.*"msg":"could not get new mysql credentials from Vault"/);
    world.vault.refuseCreds = undefined;
    await until(() => creds.rotations >= 2, { what: 'recovery' });
    expect((await bot.say(WRITER, '/note add three')).text).toMatch(/saved$/);
    const user = creds.username!;
    await bot.stop();

    const text = cap.lines.join('\n');
    // The log did describe all of it (so the check below is not vacuous)…
    for (const msg of ['mysql credentials issued by Vault', 'mysql credentials rotated', 'mysql lease renewal refused', 'could not get new mysql credentials from Vault', 'mysql statement failed', 'mysql lease revoked at shutdown'])
      expect(text).toContain(msg);
    expect(text).toContain(user);
    // …without any secret Vault handed out.
    expect(world.vault.handedOut.length).toBeGreaterThanOrEqual(6);
    for (const secret of world.vault.handedOut) expect(text).not.toContain(secret);
  });
});
