import { UserError } from '../../core/errors.js';
import type { VaultClient } from './vault-client.js';
import { VaultError } from './vault-errors.js';

/**
 * Secrets that are read when needed rather than written into the config, e.g. a deploy target's
 * webhook token. A reference is `vault:<path>#<key>`: `<path>` inside the KV engine at
 * `vault.kv.mount`, `<key>` one field of the secret stored there.
 */
export interface Secrets {
  /** The value `ref` names. Errors name the reference, never a value. */
  get(ref: string): Promise<string>;
}

export interface SecretRef {
  readonly path: string;
  readonly key: string;
}

const REF = /^vault:([A-Za-z0-9_-]+(?:\/[A-Za-z0-9_.-]+)*)#([A-Za-z0-9_.-]{1,128})$/;

/** True for a string that is a secret reference (so a config value can be either a literal or a reference). */
export function isSecretRef(value: string): boolean {
  return value.startsWith('vault:');
}

/** Splits `vault:deploy/site#token`; anything else (a `..` segment, an empty key) is refused. */
export function parseSecretRef(ref: string): SecretRef {
  const m = REF.exec(ref);
  if (!m || m[1]!.split('/').some((seg) => seg === '.' || seg === '..'))
    throw new UserError('bad_input', `not a secret reference: expected vault:<path>#<key>, got ${JSON.stringify(ref.slice(0, 80))}`);
  return { path: m[1]!, key: m[2]! };
}

/** Reads references from Vault's KV engine (v1 or v2, per vault.kv) on every call, so a rotated secret is used at once. */
export class VaultKvSecrets implements Secrets {
  constructor(private readonly client: VaultClient) {}

  async get(ref: string): Promise<string> {
    const { path, key } = parseSecretRef(ref);
    const data = await this.client.kvRead(path).catch((err: unknown) => {
      // The reply stays short and free of Vault's address; the cause (for the log) has the details.
      const why = err instanceof VaultError ? (err.status === undefined ? 'Vault is unreachable' : `HTTP ${err.status}: ${err.reason}`) : 'unexpected error';
      throw new UserError('unavailable', `secret ${ref} cannot be read from Vault (${why})`, { cause: err });
    });
    const value = Object.hasOwn(data, key) ? data[key] : undefined;
    if (typeof value !== 'string') throw new UserError('not_configured', `secret ${ref}: no string field "${key}" at ${path}`);
    return value;
  }
}

/** Fixed values by reference: tests, the demo, and setups without Vault. */
export class MemorySecrets implements Secrets {
  readonly #values: ReadonlyMap<string, string>;

  constructor(values: Record<string, string> = {}) {
    this.#values = new Map(Object.entries(values));
  }

  async get(ref: string): Promise<string> {
    parseSecretRef(ref);
    const value = this.#values.get(ref);
    if (value === undefined) throw new UserError('not_configured', `secret ${ref} is not set`);
    return value;
  }
}
