import { z } from 'zod';
import { UserError } from './errors.js';
import { refuseControl } from './input.js';
import { nextToken } from './tokenize.js';
import type { ArgSpec, Args, ArgValue } from './define-command.js';

/** Binds raw argument text to specs: flags anywhere before a trailing `text` argument, positionals in order. */
export function parseText(specs: readonly ArgSpec[], raw: string): Args {
  const out: Record<string, ArgValue> = {};
  const positionals = specs.filter((s) => !s.flag);
  let next = 0;
  let pos = 0;
  for (;;) {
    const rest = raw.slice(pos);
    if (rest.trim() === '') break;
    const spec = positionals[next];
    if (spec?.type === 'text' && !rest.trimStart().startsWith('--')) {
      out[spec.name] = validate(spec, rest.trim());
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
      out[flag.name] = flag.type === 'boolean' ? true : validate(flag, value ?? '');
      continue;
    }
    if (!spec) throw new UserError('usage', `unexpected argument "${clip(word)}"`);
    out[spec.name] = validate(spec, word);
    next++;
  }
  return finish(specs, out);
}

/** Validates structured options (Discord) against the same specs. */
export function parseValues(specs: readonly ArgSpec[], values: Readonly<Record<string, ArgValue>>): Args {
  const out: Record<string, ArgValue> = {};
  for (const [name, value] of Object.entries(values)) {
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new UserError('usage', `unknown option ${clip(name)}`);
    if (typeof value === 'string') refuseControl(value);
    out[name] = spec.type === 'boolean' ? value === true || value === 'true' : validate(spec, String(value));
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

const schemas = new WeakMap<ArgSpec, z.ZodType<ArgValue>>();

/** One zod schema per spec, built once; its messages are what the user reads. */
function schemaFor(spec: ArgSpec): z.ZodType<ArgValue> {
  const cached = schemas.get(spec);
  if (cached) return cached;
  let schema: z.ZodType<ArgValue>;
  const n = spec.name;
  if (spec.type === 'integer') {
    const min = spec.min ?? Number.MIN_SAFE_INTEGER;
    const max = spec.max ?? Number.MAX_SAFE_INTEGER;
    const range = spec.min !== undefined && spec.max !== undefined ? ` from ${min} to ${max}` : '';
    schema = z
      .string()
      .regex(/^[+-]?\d{1,16}$/, `${n} must be a whole number${range}`)
      .transform(Number)
      .pipe(z.number().min(min, `${n} must be a whole number${range}`).max(max, `${n} must be a whole number${range}`));
  } else if (spec.choices) {
    const choices = spec.choices;
    schema = z.string().refine((v) => choices.includes(v), `${n} must be one of: ${choices.join(', ')}`);
  } else {
    const minLength = spec.minLength ?? 1;
    const maxLength = spec.maxLength ?? (spec.type === 'text' ? 4000 : 200);
    let s = z
      .string()
      .min(minLength, minLength === 1 ? `${n} must not be empty` : `${n} needs at least ${minLength} characters`)
      .refine((v) => v.length <= maxLength, {
        error: (iss) => `${n} is too long (${String(iss.input).length} characters, at most ${maxLength})`,
      });
    if (spec.pattern) s = s.regex(spec.pattern, `${n} ${spec.patternHint ?? 'has characters that are not allowed'}`);
    schema = s;
  }
  schemas.set(spec, schema);
  return schema;
}

function validate(spec: ArgSpec, value: string): ArgValue {
  const r = schemaFor(spec).safeParse(value);
  if (r.success) return r.data;
  throw new UserError('usage', r.error.issues[0]?.message ?? `${spec.name} is not valid`);
}
