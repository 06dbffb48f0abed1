import { UserError } from '../../core/errors.js';
import type { PluginSecrets } from '../../core/plugin-ports.js';
import { isSecretRef, type Secrets } from '../../services/secrets/index.js';

/** An environment variable's name as `${NAME}` in the config takes it. */
const ENV_REF = /^env:([A-Za-z_][A-Za-z0-9_]{0,127})$/;

export interface SecretSources {
  /** The bot's Vault KV references, the same reader deploy webhooks and declared templates use (docs/vault.md). */
  readonly vault?: Secrets;
  /** The environment the config was loaded with (src/config/load.ts reads it). */
  readonly env?: (name: string) => string | undefined;
}

/**
 * `ctx.secrets` (docs/plugins.md): `vault:<path>#<key>` through the bot's Vault client (read on each
 * call, so a rotated secret is used at once, as templates read it) and `env:<NAME>`. No value is logged.
 */
export function secretsPort(sources: SecretSources): PluginSecrets {
  return Object.freeze({
    async get(ref: string): Promise<string> {
      const r = String(ref);
      return read(sources, r);
    },
  });
}

async function read(sources: SecretSources, ref: string): Promise<string> {
  if (isSecretRef(ref)) {
    if (!sources.vault) throw new UserError('not_configured', `secret ${ref}: no vault section is configured`);
    return sources.vault.get(ref);
  }
  const env = ENV_REF.exec(ref);
  if (!env) throw new UserError('bad_input', `not a secret reference: expected vault:<path>#<key> or env:<NAME>, got ${JSON.stringify(ref.slice(0, 80))}`);
  const value = sources.env?.(env[1]!);
  if (value === undefined || value === '') throw new UserError('not_configured', `secret ${ref} is not set`);
  return value;
}
