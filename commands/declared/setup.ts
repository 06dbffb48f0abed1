import type { Logger } from 'pino';
import { ConfigError } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { Registry } from '../../src/core/registry.js';
import { isPluginDef } from '../../src/core/plugin.js';
import type { Secrets, VaultClient } from '../../src/services/secrets/index.js';
import { buildDeclared, formatIssues } from './build.js';
import { buildSources, type Sources } from './sources.js';

/** A checked new set of declared commands, built whole; nothing changes until `commit`. */
export type DeclaredPlan =
  | { readonly ok: true; readonly registry: Registry; readonly changed: boolean; commit(): void; discard(): void }
  | { readonly ok: false; readonly issues: readonly string[] };

export interface Declared {
  /** Checks and builds `commands:` and `sources:` of a new config (SIGHUP); `registry` previews the result. */
  plan(next: Config): DeclaredPlan;
  /** Resolves once every source has a login: a source with `vault` gets its first credentials now (start-up). */
  ready(): Promise<void>;
  /** The sources in force. */
  sources(): Sources;
  close(): Promise<void>;
}

export interface DeclaredSetupDeps {
  readonly log: Logger;
  readonly secrets: () => Secrets | undefined;
  readonly masked: readonly string[];
  /** The bot's Vault client, for sources with `vault: { role }` (docs/commands.md#sources). */
  readonly vault?: () => VaultClient | undefined;
}

/**
 * Declared commands (docs/commands.md) in the composition root: built from the config into the
 * registry the built-ins are in, before access is checked (access.commands may name them). The
 * sources in force are read at each run, so a reload swaps commands and sources together.
 */
export function setupDeclared(config: Config, registry: Registry, deps: DeclaredSetupDeps): Declared {
  let sources: Sources = new Map();
  let started = false;
  let running = JSON.stringify([config.commands ?? [], config.sources ?? {}]);
  const plan = (next: Config): DeclaredPlan => {
    const built = buildSources(next.sources, sources, { vault: deps.vault, log: deps.log, retryMs: next.vault?.retryMs });
    const fixed = registry.builtins();
    const plugins = new Set(fixed.filter(isPluginDef).map((c) => c.name));
    const made = buildDeclared(next.commands ?? [], next.sources, fixed.map((c) => c.name), { ...deps, sources: () => sources, plugins });
    // Pools made for a plan that is not committed are closed; those of the running set are kept.
    const discard = () => {
      for (const p of built.sources.values()) if (sources.get(p.name) !== p) void p.close().catch(() => {});
    };
    if (!made.ok) {
      discard();
      return { ok: false, issues: formatIssues(made.issues) };
    }
    const preview = new Registry(registry.builtins());
    preview.setDeclared(made.commands);
    const fingerprint = JSON.stringify([next.commands ?? [], next.sources ?? {}]);
    return {
      ok: true,
      registry: preview,
      changed: fingerprint !== running,
      discard,
      commit() {
        registry.setDeclared(made.commands);
        sources = built.sources;
        running = fingerprint;
        // A query still running on a removed source ends with an error; running jobs are not touched.
        for (const p of built.unused) void p.close().catch(() => {});
        // After start-up (ready()), a new source on Vault asks for its login now; a refusal is logged and asked again at its first use.
        if (started)
          for (const p of built.sources.values())
            if (p.config.vault) void p.ready().catch((err: unknown) => deps.log.warn({ source: p.name, err: (err as Error).message }, 'declared source: no credentials from Vault yet'));
      },
    };
  };
  const first = plan(config);
  if (!first.ok) throw new ConfigError('config', first.issues);
  first.commit();
  return {
    plan,
    async ready() {
      started = true;
      await Promise.all([...sources.values()].map((p) => p.ready()));
    },
    sources: () => sources,
    async close() {
      await Promise.all([...sources.values()].map((p) => p.close().catch(() => {})));
    },
  };
}
