import { createRequire } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { ConfigError } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { CommandDef } from '../../src/core/define-command.js';
import { buildPlugins, type Given } from './check.js';

/**
 * `plugins:` (docs/plugins.md): each module is imported once, at start (never on SIGHUP), and its
 * default export (a command made with `defineCommand` from opsline, or a list) checked and built.
 * A module that cannot be found or loaded, or a command that is refused, stops the caller
 * (`opsline start`, `doctor`, …) with a ConfigError naming the module and the reason.
 */
export async function loadPlugins(config: Config, source: string, builtins: readonly CommandDef[], log: Logger): Promise<readonly CommandDef<unknown>[]> {
  const specs = config.plugins ?? [];
  if (specs.length === 0) return [];
  const base = dirname(resolve(source));
  const given: Given[] = [];
  const issues: string[] = [];
  for (const [i, spec] of specs.entries()) {
    const where = `plugins.${i} (${spec})`;
    try {
      const mod = (await import(pathToFileURL(locate(spec, base)).href)) as { default?: unknown };
      if (mod.default === undefined) issues.push(`${where}: the module has no default export`);
      else for (const value of Array.isArray(mod.default) ? mod.default : [mod.default]) given.push({ where, value });
    } catch (err) {
      issues.push(`${where}: cannot load: ${(err as Error)?.message ?? String(err)}`);
    }
  }
  if (issues.length) throw new ConfigError(source, issues);
  const built = buildPlugins(given, { builtins: builtins.map((c) => c.name), declared: (config.commands ?? []).map((c) => c.name) }, log);
  if (!built.ok) throw new ConfigError(source, built.issues);
  log.info({ plugins: specs, commands: built.commands.map((c) => c.name) }, 'plugins loaded');
  return built.commands;
}

/** A path (`./ops/uptime.js`) is relative to the config file; anything else is a package resolved from its directory. */
function locate(spec: string, base: string): string {
  if (isAbsolute(spec) || spec.startsWith('./') || spec.startsWith('../')) return resolve(base, spec);
  return createRequire(resolve(base, 'opsline.yaml')).resolve(spec);
}

/** The built-ins and the config's plugin commands, for what only lists them (`manifest slack`, `register discord`, `doctor`). */
export async function withPlugins(builtins: readonly CommandDef[], loaded: { readonly config: Config; readonly source: string } | undefined): Promise<readonly CommandDef[]> {
  if (!loaded?.config.plugins?.length) return builtins;
  const { pino } = await import('pino');
  return [...builtins, ...(await loadPlugins(loaded.config, loaded.source, builtins, pino({ level: 'silent' })))];
}
