import type { Config } from '../../src/config/schema.js';
import { CheckFailure, type Check } from '../../src/doctor/types.js';
import { VaultClient } from '../../src/services/secrets/index.js';
import { SourcePool, sourceTarget } from './sources.js';

/**
 * `opsline doctor`: each source under `sources:` answers, and its user can only SELECT (SHOW GRANTS),
 * the same check a sql command makes before it runs (docs/commands.md#sources). A source on Vault is
 * checked with a login Vault issues for its role, revoked again at the end.
 */
export function sourceChecks(config: Config): Check[] {
  return Object.entries(config.sources ?? {}).map(([name, s]) => {
    const t = sourceTarget(s);
    return {
      name: `source ${name}`,
      target: `${t.host}:${t.port}`,
      async run() {
        const vault = config.vault;
        const pool = new SourcePool(name, s, { vault: () => (vault ? new VaultClient(vault) : undefined) });
        try {
          const grants = await pool.grants();
          if (!grants.readOnly) throw new CheckFailure(`not read-only: ${grants.reason}; sql commands on ${name} refuse to run until its user has only SELECT`);
          const users = (config.commands ?? []).filter((c) => c.kind === 'sql' && c.source === name).map((c) => `/${c.name}`);
          const who = s.vault ? `the users Vault issues for role ${s.vault.role}` : t.user;
          return `${who} can only SELECT${users.length ? ` (${users.join(' ')})` : ''}`;
        } finally {
          await pool.close().catch(() => {});
        }
      },
    };
  });
}
