import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../../src/config/load.js';
import { buildApp } from '../../../src/app/main.js';
import { MemorySecrets, parseSecretRef, VaultClient, VaultKvSecrets } from '../../../src/services/secrets/index.js';
import { botPolicy, VaultDouble } from '../../helpers/vault-double.js';
import { ROLE } from '../../helpers/vault-world.js';

let vault: VaultDouble;
beforeAll(async () => {
  vault = await VaultDouble.start();
  vault.kv.set('opsline/deploy/site', { token: 'ci-token-123', url: 'https://ci.example.com' });
  vault.kv.set('other/thing', { token: 'not-for-the-bot' });
});
afterAll(async () => {
  await vault?.close();
});

const secretsWith = (token: string) => new VaultKvSecrets(new VaultClient(buildConfig({ vault: { addr: vault.addr, token } }).vault!));

describe('secret references', () => {
  it('parses vault:<path>#<key> and refuses anything else', () => {
    expect(parseSecretRef('vault:opsline/deploy/site#token')).toEqual({ path: 'opsline/deploy/site', key: 'token' });
    for (const bad of ['vault:opsline/site', 'vault:#token', 'vault:../x#token', 'vault:a/../b#k', 'secret:a#b', 'vault:a b#c', 'vault:a#'])
      expect(() => parseSecretRef(bad), bad).toThrow(/not a secret reference/);
  });

  it('reads a field from the KV engine on every call', async () => {
    const secrets = secretsWith(vault.addToken(botPolicy('database', ROLE)));
    expect(await secrets.get('vault:opsline/deploy/site#token')).toBe('ci-token-123');
    vault.kv.set('opsline/deploy/site', { token: 'rotated-456', url: 'https://ci.example.com' });
    expect(await secrets.get('vault:opsline/deploy/site#token')).toBe('rotated-456');
  });

  it('names the reference, never a value, when a field or secret is missing or not allowed', async () => {
    const secrets = secretsWith(vault.addToken(botPolicy('database', ROLE)));
    await expect(secrets.get('vault:opsline/deploy/site#nope')).rejects.toMatchObject({ code: 'not_configured', message: 'secret vault:opsline/deploy/site#nope: no string field "nope" at opsline/deploy/site' });
    await expect(secrets.get('vault:opsline/deploy/missing#token')).rejects.toThrow('secret vault:opsline/deploy/missing#token cannot be read from Vault (HTTP 404: nothing at this path)');
    const denied = (await secrets.get('vault:other/thing#token').catch((e: unknown) => e)) as Error;
    expect(denied).toMatchObject({ code: 'unavailable', message: 'secret vault:other/thing#token cannot be read from Vault (HTTP 403: permission denied)' });
    // The operator's detail is kept for the log.
    expect((denied.cause as Error).message).toMatch(/refused read secret\/data\/other\/thing: permission denied — the token is not allowed/);
  });

  it('has an in-memory implementation with the same contract', async () => {
    const secrets = new MemorySecrets({ 'vault:deploy/site#token': 't' });
    expect(await secrets.get('vault:deploy/site#token')).toBe('t');
    await expect(secrets.get('vault:deploy/other#token')).rejects.toMatchObject({ code: 'not_configured' });
  });

  it('is on the app when a vault section is configured, without MySQL and without logging in at start', async () => {
    const config = buildConfig({ vault: { addr: vault.addr, token: vault.addToken(botPolicy('database', ROLE)) } });
    const before = vault.requests.length;
    const app = await buildApp(config, { log: pino({ level: 'silent' }) });
    expect(vault.requests.length).toBe(before);
    expect(await app.secrets!.get('vault:opsline/deploy/site#url')).toBe('https://ci.example.com');
    await app.stop();
  });
});
