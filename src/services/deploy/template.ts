import { UserError } from '../../core/errors.js';
import { isSecretRef, type Secrets } from '../secrets/index.js';

export interface DeployVars {
  readonly target: string;
  readonly ref: string;
  readonly user: string;
}

const VAR = /\{(target|ref|user)\}/g;
const SECRET = /\{(vault:[^{}\s]+)\}/g;
export const MASK = '•••';

/** Fills `{target}`, `{ref}` and `{user}`; `escape` makes each value safe where it lands (a URL, a JSON string). */
export function fill(template: string, vars: DeployVars, escape: (v: string) => string = (v) => v): string {
  return template.replace(VAR, (_m, k: keyof DeployVars) => escape(vars[k]));
}

/** A value inside a JSON string literal: quotes and backslashes in a display name cannot end the string. */
export const jsonEscape = (v: string): string => JSON.stringify(v).slice(1, -1);

/**
 * Resolves secret references: a whole value `vault:<path>#<key>`, or `{vault:<path>#<key>}` inside it.
 * Every resolved value is added to `found` so that everything shown or logged can be masked.
 */
export async function resolveSecrets(value: string, secrets: Secrets | undefined, found: Set<string>): Promise<string> {
  const need = (): Secrets => {
    if (!secrets) throw new UserError('not_configured', 'this target uses a vault: secret but no vault section is configured');
    return secrets;
  };
  if (isSecretRef(value)) {
    const v = await need().get(value);
    found.add(v);
    return v;
  }
  const refs = [...value.matchAll(SECRET)].map((m) => m[1]!);
  let out = value;
  for (const ref of refs) {
    const v = await need().get(ref);
    found.add(v);
    out = out.split(`{${ref}}`).join(v);
  }
  return out;
}

/** Replaces every secret value (and config values from ${ENV}) in `text`; short values are left, they would mask noise. */
export function mask(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of [...secrets].filter((x) => x.length >= 4).sort((a, b) => b.length - a.length)) out = out.split(s).join(MASK);
  return out;
}

/** Headers shown in the thread: names only, values masked unless they are plainly not secret. */
export function showHeaders(headers: Record<string, string>): string {
  const plain = new Set(['content-type', 'accept', 'user-agent']);
  return Object.entries(headers)
    .map(([k, v]) => `${k}: ${plain.has(k.toLowerCase()) ? v : MASK}`)
    .join(', ');
}
