import { describe, expect, it } from 'vitest';
import { buildConfig, ConfigError } from '../../../src/config/load.js';
import { poolSettings } from '../../../src/services/db/index.js';

function issues(raw: unknown): readonly string[] {
  try {
    buildConfig(raw);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
}

describe('vault and mysql.vault config', () => {
  it('fills the defaults', () => {
    const c = buildConfig({ mysql: { host: 'db', database: 'opsline', vault: { role: 'opsline-app' } }, vault: { addr: 'http://v:8200', approle: { roleId: 'r', secretId: 's' } } });
    expect(c.mysql?.vault).toEqual({ role: 'opsline-app', mount: 'database' });
    expect(c.vault).toEqual({ addr: 'http://v:8200', approle: { roleId: 'r', secretId: 's', mount: 'approle' }, timeoutMs: 5000, retryMs: 1000, kv: { mount: 'secret', version: 2 } });
    // The address comes from the config; the user and password from Vault later.
    expect(poolSettings(c.mysql!)).toMatchObject({ host: 'db', port: 3306, user: '', password: '', database: 'opsline' });
  });

  it('accepts a url without a user', () => {
    const c = buildConfig({ mysql: { url: 'mysql://db:3307/opsline', vault: { role: 'r' } }, vault: { addr: 'http://v:8200', token: 't' } });
    expect(poolSettings(c.mysql!)).toMatchObject({ host: 'db', port: 3307, user: '', database: 'opsline' });
  });

  it.each([
    [{ mysql: { url: 'mysql://bot:pw@db/opsline', vault: { role: 'r' } }, vault: { addr: 'http://v', token: 't' } }, 'mysql.vault: Vault issues the user and password'],
    [{ mysql: { host: 'db', database: 'o', user: 'bot', vault: { role: 'r' } }, vault: { addr: 'http://v', token: 't' } }, 'mysql.vault: Vault issues the user and password'],
    [{ mysql: { vault: { role: 'r' } }, vault: { addr: 'http://v', token: 't' } }, 'mysql: needs url, or host'],
    [{ mysql: { host: 'db', vault: { role: 'r' } }, vault: { addr: 'http://v', token: 't' } }, 'mysql: host needs user and database'],
    [{ mysql: { url: 'mysql://db/o', vault: { role: 'r' } } }, 'vault: required by mysql.vault'],
    [{ vault: { addr: 'http://v' } }, 'vault: needs token or approle'],
    [{ vault: { addr: 'http://v', token: 't', kv: { mount: '../x' } } }, 'vault.kv.mount'],
    [{ vault: { addr: 'http://v', token: 't', kv: { version: 3 } } }, 'vault.kv.version'],
    [{ mysql: { url: 'mysql://db/o', vault: { role: 'r', mount: 'a//b' } }, vault: { addr: 'http://v', token: 't' } }, 'mysql.vault.mount'],
  ])('refuses %j', (raw, message) => {
    expect(issues(raw).join('\n')).toContain(message);
  });
});
