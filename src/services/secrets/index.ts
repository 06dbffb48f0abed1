import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { poolSettings, type Db } from '../db/index.js';
import { VaultMysqlCredentials } from './mysql-lease.js';
import { VaultKvSecrets, type Secrets } from './secrets.js';
import { VaultClient } from './vault-client.js';

export { VaultClient, DbLease, type VaultConfig } from './vault-client.js';
export { VaultError } from './vault-errors.js';
export { VaultMysqlCredentials, type MysqlLeaseOptions, type LeasedPool } from './mysql-lease.js';
export { MemorySecrets, VaultKvSecrets, isSecretRef, parseSecretRef, type Secrets, type SecretRef } from './secrets.js';

export interface VaultServices {
  readonly client: VaultClient;
  readonly secrets: Secrets;
  /** Present with mysql.vault: the lease behind the Db the MySQL services use. */
  readonly mysql?: { readonly db: Db; readonly credentials: VaultMysqlCredentials };
}

/**
 * Everything Vault backs, from config. With mysql.vault this logs in and gets the first database
 * credentials now, so a Vault that cannot be reached or refuses the token stops the start with
 * an error naming the address and the reason; KV secrets alone are read (and logged in for) on first use.
 */
export async function buildVaultServices(config: Config, log: Logger): Promise<VaultServices | undefined> {
  if (!config.vault) return undefined;
  const client = new VaultClient(config.vault);
  const secrets = new VaultKvSecrets(client);
  if (!config.mysql?.vault) return { client, secrets };
  const credentials = new VaultMysqlCredentials({
    client,
    mount: config.mysql.vault.mount,
    role: config.mysql.vault.role,
    settings: poolSettings(config.mysql),
    log: log.child({ component: 'vault' }),
    retryMs: config.vault.retryMs,
  });
  const db = await credentials.start();
  return { client, secrets, mysql: { db, credentials } };
}

/** The lease prefix `opsline vault revoke` empties: every credential ever issued for the role. */
export function leasePrefix(config: Config): string {
  if (!config.mysql?.vault) throw new Error('mysql.vault is not configured');
  return `${config.mysql.vault.mount}/creds/${config.mysql.vault.role}`;
}
