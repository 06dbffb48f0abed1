import type { Config } from '../../src/config/schema.js';
import { CheckFailure, type Check } from '../../src/doctor/types.js';
import { SourcePool } from './sources.js';

/**
 * `opsline doctor`: each source under `sources:` answers, and its user can only SELECT (SHOW GRANTS),
 * the same check a sql command makes before it runs (docs/commands.md#sources).
 */
export function sourceChecks(config: Config): Check[] {
  return Object.entries(config.sources ?? {}).map(([name, s]) => {
    const u = new URL(s.url);
    return {
      name: `source ${name}`,
      target: `${u.hostname}:${u.port || 3306}`,
      async run() {
        const pool = new SourcePool(name, s);
        try {
          const grants = await pool.grants();
          if (!grants.readOnly) throw new CheckFailure(`not read-only: ${grants.reason}; sql commands on ${name} refuse to run until its user has only SELECT`);
          const users = (config.commands ?? []).filter((c) => c.kind === 'sql' && c.source === name).map((c) => `/${c.name}`);
          return `${decodeURIComponent(u.username)} can only SELECT${users.length ? ` (${users.join(' ')})` : ''}`;
        } finally {
          await pool.close().catch(() => {});
        }
      },
    };
  });
}
