import type { Logger } from 'pino';
import { ConfigError, requireConfigFile } from '../config/load.js';
import { unknownAccessKeys } from '../core/access.js';
import type { App } from '../main.js';
import { withSchedulePrincipals } from '../schedules/check.js';

/**
 * SIGHUP: reads the config file again and, if it is valid as a whole and its `access` section names
 * only known commands, swaps in the new allowlist. Anything wrong keeps the old list and logs every
 * reason. Only `access` is reloaded; other sections need a restart (docs/configuration.md).
 */
export function accessReloader(app: App, configFlag: string | undefined, log: Logger): () => void {
  return () => {
    try {
      const { config, source } = requireConfigFile(configFlag);
      const bad = unknownAccessKeys(config.access, app.registry.targets().map((t) => t.path));
      if (bad.length) throw new ConfigError(source, bad);
      // Schedules keep running as their system principals: their roles come from the running config.
      app.access.reload(withSchedulePrincipals(config.access, app.config.schedules));
      log.info({ users: config.access.users.length, source }, 'access allowlist reloaded');
    } catch (err) {
      const issues = err instanceof ConfigError ? err.issues : [(err as Error).message];
      log.error({ issues }, 'access allowlist not reloaded; the old one stays in force');
    }
  };
}
