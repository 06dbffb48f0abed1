import { UserError } from './errors.js';
import { refuseControl } from './input.js';
import { nextToken } from './tokenize.js';
import type { ArgSpec, Args, ArgValue } from './arg-spec.js';
import { resolverOf, type ResolveContext } from './resolvers.js';

/**
 * Binds raw argument text to specs: flags anywhere before a trailing `text` argument, positionals in
 * order. Each value is read by its type's resolver (src/core/resolvers.ts); `ctx` says who asks, for
 * the words read relative to them (a mention).
 */
export function parseText(specs: readonly ArgSpec[], raw: string, ctx?: ResolveContext): Args {
  const out: Record<string, ArgValue> = {};
  const positionals = specs.filter((s) => !s.flag);
  let next = 0;
  let pos = 0;
  for (;;) {
    const rest = raw.slice(pos);
    if (rest.trim() === '') break;
    const spec = positionals[next];
    if (spec?.type === 'text' && !rest.trimStart().startsWith('--')) {
      out[spec.name] = resolverOf(spec).fromText(spec, rest.trim(), ctx);
      break;
    }
    const t = nextToken(raw, pos);
    if (!t) break;
    pos = t.end;
    const word = t.token.value;
    if (word.startsWith('--') && raw[t.token.start] === '-') {
      const [name, value] = splitFlag(word.slice(2));
      const flag = specs.find((s) => s.flag && s.name === name);
      if (!flag) throw new UserError('usage', `unknown option --${clip(name)}`);
      if (flag.type === 'boolean' && value !== undefined) throw new UserError('usage', `--${name} takes no value`);
      if (flag.type !== 'boolean' && value === undefined) throw new UserError('usage', `--${name} needs a value: --${name}=…`);
      out[flag.name] = flag.type === 'boolean' ? true : resolverOf(flag).fromText(flag, value ?? '', ctx);
      continue;
    }
    if (!spec) throw new UserError('usage', `unexpected argument "${clip(word)}"`);
    out[spec.name] = resolverOf(spec).fromText(spec, word, ctx);
    next++;
  }
  return finish(specs, out);
}

/** Reads structured options (Discord) with the same specs and resolvers. */
export function parseValues(specs: readonly ArgSpec[], values: Readonly<Record<string, ArgValue>>, ctx?: ResolveContext): Args {
  const out: Record<string, ArgValue> = {};
  for (const [name, value] of Object.entries(values)) {
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new UserError('usage', `unknown option ${clip(name)}`);
    if (typeof value === 'string') refuseControl(value);
    const r = resolverOf(spec);
    out[name] = r.fromOption ? r.fromOption(spec, value, ctx) : r.fromText(spec, String(value), ctx);
  }
  return finish(specs, out);
}

function finish(specs: readonly ArgSpec[], out: Record<string, ArgValue>): Args {
  for (const s of specs) {
    if (out[s.name] !== undefined) continue;
    if (s.required) throw new UserError('usage', `missing ${s.flag ? '--' : ''}${s.name}`);
    if (s.default !== undefined) out[s.name] = s.default;
  }
  return Object.freeze(out);
}

function splitFlag(s: string): [string, string | undefined] {
  const i = s.indexOf('=');
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

function clip(s: string, n = 40): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
