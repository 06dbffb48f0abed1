import { UserError } from '../../core/errors.js';
import { isSecretRef, type Secrets } from '../secrets/index.js';

/** The caller-controlled values a template may name. `user` is a display name anyone can choose. */
export interface DeployVars {
  readonly target: string;
  readonly ref: string;
  readonly user: string;
}

/**
 * Where a filled value lands, which decides how a caller value is escaped: percent-encoded in a
 * URL or form body, a JSON string's content in a JSON body, refused with a line break in a header.
 */
export type Destination = 'url' | 'json' | 'form' | 'header';

/** Caller values by slot name (`{queue}`, `{user.key}`); a Map, so no name reaches an object's prototype. */
export type TemplateVars = ReadonlyMap<string, string>;

/** A configured template split once: literal configured text, and slots for caller values. */
type Piece = { readonly text: string } | { readonly slot: string };

/** A slot's shape; only names the vars hold are slots, any other `{…}` is configured text. */
const SLOT = /\{([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?)\}/g;
const SECRET = /\{(vault:[^{}\s]+)\}/g;
const LINE_BREAK = /[\r\n\0]/;
export const MASK = '•••';

function split(template: string, vars: TemplateVars): Piece[] {
  const out: Piece[] = [];
  let at = 0;
  for (const m of template.matchAll(SLOT)) {
    if (!vars.has(m[1]!)) continue;
    if (m.index > at) out.push({ text: template.slice(at, m.index) });
    out.push({ slot: m[1]! });
    at = m.index + m[0].length;
  }
  if (at < template.length) out.push({ text: template.slice(at) });
  return out;
}

function escape(dest: Destination, name: string, value: string): string {
  // `.` and `..` stay dot segments however they are escaped (a URL parser reads %2e as a dot too), so
  // a value that is only that would move the request to another path: refused.
  if (dest === 'url' && (value === '.' || value === '..')) throw new UserError('bad_input', `{${name}} cannot be . or .. in a URL`);
  if (dest === 'url' || dest === 'form') return encodeURIComponent(value);
  if (dest === 'json') return JSON.stringify(value).slice(1, -1);
  if (LINE_BREAK.test(value)) throw new UserError('bad_input', `{${name}} contains a line break, which cannot go in a header`);
  return value;
}

/** Joins the pieces, each slot filled with its caller value escaped for `dest`; nothing filled in is read again. */
function join(pieces: readonly Piece[], vars: TemplateVars, dest: Destination): string {
  return pieces.map((p) => ('slot' in p ? escape(dest, p.slot, vars.get(p.slot) ?? '') : p.text)).join('');
}

function varsOf(v: DeployVars | TemplateVars): TemplateVars {
  return v instanceof Map ? v : new Map([['target', (v as DeployVars).target], ['ref', (v as DeployVars).ref], ['user', (v as DeployVars).user]]);
}

/**
 * Fills a configured template for sending (docs/deploy.md, "Templates"). Secret references — a
 * whole value `vault:<path>#<key>` or `{vault:<path>#<key>}` inside it — are resolved in the
 * configured text FIRST; only then are the caller values substituted, escaped for `dest`, and never
 * interpreted again, so a display name `{vault:ci/prod#token}` is sent as those characters.
 * Every resolved secret is added to `found` so whatever is shown or logged can be masked.
 */
export async function render(template: string, given: DeployVars | TemplateVars, dest: Destination, secrets: Secrets | undefined, found: Set<string>): Promise<string> {
  const vars = varsOf(given);
  const need = (): Secrets => {
    if (!secrets) throw new UserError('not_configured', 'this template uses a vault: secret but no vault section is configured');
    return secrets;
  };
  const reveal = async (ref: string): Promise<string> => {
    const v = await need().get(ref);
    found.add(v);
    return v;
  };
  if (isSecretRef(template)) return reveal(template);
  const pieces: Piece[] = [];
  for (const p of split(template, vars)) {
    if ('slot' in p) pieces.push(p);
    else pieces.push({ text: await replaceAsync(p.text, SECRET, (ref) => reveal(ref)) });
  }
  return join(pieces, vars, dest);
}

/** What `render` would send, for the thread: secret references shown as •••, caller values as given. */
export function preview(template: string, given: DeployVars | TemplateVars, dest: Destination, masked: readonly string[]): string {
  if (isSecretRef(template)) return MASK;
  const vars = varsOf(given);
  const pieces = split(template, vars).map((p) => ('slot' in p ? p : { text: mask(p.text.replace(SECRET, MASK), masked) }));
  return join(pieces, vars, dest);
}

async function replaceAsync(text: string, re: RegExp, by: (ref: string) => Promise<string>): Promise<string> {
  let out = '';
  let at = 0;
  for (const m of text.matchAll(re)) {
    out += text.slice(at, m.index) + (await by(m[1]!));
    at = m.index + m[0].length;
  }
  return out + text.slice(at);
}

/** Replaces every secret value (and config values from ${ENV}) in `text`; short values are left, they would mask noise. */
export function mask(text: string, secrets: Iterable<string>): string {
  // A service may echo a secret escaped: as a JSON string's content, or percent-encoded.
  const forms = [...secrets].filter((x) => x.length >= 4).flatMap((s) => [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)]);
  let out = text;
  for (const s of [...new Set(forms)].sort((a, b) => b.length - a.length)) out = out.split(s).join(MASK);
  return out;
}

/** Headers shown in the thread: names only, values masked unless they are plainly not secret. */
export function showHeaders(headers: Record<string, string>): string {
  const plain = new Set(['content-type', 'accept', 'user-agent']);
  return Object.entries(headers)
    .map(([k, v]) => `${k}: ${plain.has(k.toLowerCase()) ? v : MASK}`)
    .join(', ');
}

/** How a body template's caller values are escaped: per its configured content-type (JSON unless a form). */
export function bodyDestination(headers: Readonly<Record<string, string>> | undefined): Destination {
  const type = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  return /^application\/x-www-form-urlencoded\b/i.test(type) ? 'form' : 'json';
}
