import type { Config } from '../../config/schema.js';
import type { Check } from '../../doctor/types.js';
import { VaultClient } from './vault-client.js';

/** The Vault token (or AppRole login) works. */
export function vaultChecks(config: Config): Check[] {
  const vault = config.vault;
  if (!vault) return [];
  return [
    {
      name: 'vault',
      target: vault.addr,
      silentFix: 'is Vault running, and may this host reach vault.addr (firewall, proxy)?',
      async run() {
        await new VaultClient(vault).login();
        return `${vault.addr}: ${vault.approle ? 'AppRole login' : 'token'} accepted`;
      },
    },
  ];
}
