import { pino } from 'pino';
import { ConfigError } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { CommandDef } from '../../src/core/define-command.js';
import { buildDeclared, formatIssues } from './build.js';
import { isPluginDef } from '../../src/core/plugin.js';

/**
 * The commands a platform is told about (`opsline manifest slack`, `opsline register discord`): the
 * built-ins and the config's declared commands, with their typed options. Nothing here runs them.
 */
export function withDeclared(builtins: readonly CommandDef[], config: Config | undefined, source = 'config'): readonly CommandDef[] {
  if (!config?.commands?.length) return builtins;
  const made = buildDeclared(config.commands, config.sources, builtins.map((c) => c.name), {
    log: pino({ level: 'silent' }),
    secrets: () => undefined,
    masked: [],
    sources: () => new Map(),
    plugins: new Set(builtins.filter(isPluginDef).map((c) => c.name)),
  });
  if (!made.ok) throw new ConfigError(source, formatIssues(made.issues));
  return [...builtins, ...made.commands];
}
