import { ConfigError, requireConfigFile } from '../config/load.js';
import { createLogger } from '../log.js';
import { createPool, Db, migrate, poolSettings } from '../services/db/index.js';
import { printable } from '../core/printable.js';

export interface MigrateIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

/**
 * `opsline migrate`: creates or upgrades the bot's own tables, then exits. Uses `mysql.migrateUrl`
 * when given, because the bot's everyday user has no DDL rights (docs/security.md).
 */
export async function runMigrate(configFlag: string | undefined, io: MigrateIo = { out: process.stdout, err: process.stderr }): Promise<number> {
  const loaded = requireConfigFile(configFlag);
  const { config } = loaded;
  if (!config.mysql) throw new ConfigError(loaded.source, ['mysql: required by opsline migrate']);
  // Vault's users exist only for the bot's everyday statements; tables need an account with DDL rights.
  if (config.mysql.vault && !config.mysql.migrateUrl)
    throw new ConfigError(loaded.source, ['mysql.migrateUrl: required by opsline migrate when mysql.vault is set (the Vault-issued user cannot create tables)']);
  const log = createLogger({ level: config.log.level, secrets: loaded.secrets });
  const settings = { ...poolSettings(config.mysql, config.mysql.migrateUrl ?? config.mysql.url), poolSize: 1 };
  const db = new Db(createPool(settings), settings.timeoutMs, log, settings.queueTimeoutMs);
  try {
    const { applied, current } = await migrate(db);
    for (const m of applied) io.out.write(`applied ${m.version}: ${m.name}\n`);
    io.out.write(applied.length ? `database ${settings.database ?? ''} is now at version ${current}\n` : `database ${settings.database ?? ''} is up to date (version ${current})\n`);
    return 0;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    io.err.write(`opsline migrate: ${typeof code === 'string' ? `${code}: ` : ''}${printable((err as Error).message)}\n`);
    return 1;
  } finally {
    await db.end();
  }
}
