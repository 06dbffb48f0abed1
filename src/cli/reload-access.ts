import type { Logger } from 'pino';
import { ConfigError, requireConfigFile, type Loaded } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { App } from '../app/main.js';

/**
 * SIGHUP: reads the config file again and reloads all of `access` and the declared `commands:` (with their
 * `sources:`), or nothing (docs/configuration.md#reloading).
 * The file must be valid as a whole and pass every check `opsline start` runs; an empty file, or one
 * without the `access` section the running config has, is a write that did not finish, not an empty
 * allowlist. `afterCommit` runs after a reload that took effect. Anything wrong keeps the old access and logs every reason; sections other than `access`
 * that changed are named in the log, and change at the next restart.
 */
export function accessReloader(app: App, configFlag: string | undefined, log: Logger, o: { readonly afterCommit?: () => Promise<void> } = {}): () => void {
  let current = app.config.access;
  return () => {
    try {
      const loaded = requireConfigFile(configFlag);
      const broken = brokenWrite(loaded, current);
      if (broken) throw new ConfigError(loaded.source, [broken]);
      const plan = app.planReload(loaded.config);
      if (!plan.ok) throw new ConfigError(loaded.source, plan.issues);
      plan.commit();
      current = loaded.config.access;
      for (const w of plan.warnings) log.warn(w);
      if (plan.restartNeeded.length)
        log.warn({ sections: plan.restartNeeded }, `not reloaded (a restart applies them): ${plan.restartNeeded.join(', ')} changed in ${loaded.source}; only access and commands are reloaded`);
      const a = current;
      log.info({ users: a.users.length, slackGroups: a.slackGroups.length, discordRoles: a.discordRoles.length, source: loaded.source }, 'access allowlist reloaded');
      log.info({ commands: loaded.config.commands?.length ?? 0, source: loaded.source }, 'declared commands reloaded');
      // Discord shows what was registered: a reloaded command set may need `opsline register discord` (start passes the check).
      void o.afterCommit?.().catch((err: unknown) => log.warn({ err }, 'a check after the reload failed'));
    } catch (err) {
      const issues = err instanceof ConfigError ? err.issues : [(err as Error).message];
      log.error({ issues }, `access allowlist not reloaded; the old one stays in force, and so do the declared commands: ${issues.join('; ')}`);
    }
  };
}

/** Why a file that parses is still no file to reload from, or undefined. */
function brokenWrite(loaded: Loaded, current: Config['access']): string | undefined {
  if (loaded.sections.length === 0) return 'the file is empty (a write that did not finish?): it would lock every user out, so nothing was changed';
  const given = current.users.length + current.slackGroups.length + current.discordRoles.length > 0;
  if (given && !loaded.sections.includes('access'))
    return 'the file has no access section (a write that did not finish?): it would lock every user out, so nothing was changed; to take every role away, write access: { users: [] }';
  return undefined;
}
