import { ConfigError, requireConfigFile } from '../config/load.js';
import { leasePrefix, VaultClient } from '../services/secrets/index.js';
import { printable } from '../core/printable.js';

export interface VaultIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

/**
 * `opsline vault revoke`: incident response. Revokes every lease under the role's prefix
 * (`<mount>/creds/<role>`), so every MySQL user Vault ever issued to any replica is dropped, and
 * says how many. Running bots answer "database unavailable" until they have new credentials.
 * The token needs `list` and `sudo` on sys/leases/lookup/<prefix> and `update` and `sudo` on
 * sys/leases/revoke-prefix/<prefix> (docs/vault.md): usually an operator's token, not the bot's.
 */
export async function runVaultRevoke(configFlag: string | undefined, io: VaultIo = { out: process.stdout, err: process.stderr }): Promise<number> {
  const loaded = requireConfigFile(configFlag);
  const { config } = loaded;
  if (!config.vault || !config.mysql?.vault) throw new ConfigError(loaded.source, ['mysql.vault and vault: required by opsline vault revoke']);
  const client = new VaultClient(config.vault);
  const prefix = leasePrefix(config);
  try {
    // Vault's revoke-prefix answers 204 with no count, so the leases are listed before and after.
    const before = await client.listLeases(prefix);
    await client.revokePrefix(prefix);
    const left = new Set(await client.listLeases(prefix));
    const revoked = before.filter((id) => !left.has(id)).length;
    io.out.write(`revoked ${revoked} lease${revoked === 1 ? '' : 's'} under ${prefix}\n`);
    if (left.size === 0) return 0;
    io.err.write(`opsline vault revoke: ${left.size} lease${left.size === 1 ? ' is' : 's are'} still listed under ${prefix} (issued meanwhile, or Vault is still revoking); run it again\n`);
    return 1;
  } catch (err) {
    io.err.write(`opsline vault revoke: ${printable((err as Error).message)}\n`);
    return 1;
  }
}
