import { DURATION_MAX_LENGTH, durationError, readDuration } from '../words/duration.js';
import {
  AGENT_NAME,
  AGENT_NAME_MAX_LENGTH,
  CONFIRM_CODE,
  CONFIRM_CODE_LENGTH,
  DRIVE_REF,
  DRIVE_REF_MAX_LENGTH,
  IMAGE_MAX_LENGTH,
  IMAGE_NAME,
  JOB_ID,
  JOB_ID_MAX_LENGTH,
  PRINCIPAL_KEY_MAX_LENGTH,
  REF_MAX_LENGTH,
  SCHEDULE_NAME,
  SCHEDULE_NAME_MAX_LENGTH,
  TARGET_NAME,
  TARGET_NAME_MAX_LENGTH,
} from '../words/names.js';
import { UserError } from './errors.js';
import { principalOption, principalText } from './principal-arg.js';
import type { ArgShape, ArgValue, ResolveContext } from './resolve-context.js';

export type { ResolveContext } from './resolve-context.js';

/** How a platform offers the argument: Discord's option type; `user` is Discord's user picker. */
export type OptionKind = 'string' | 'integer' | 'boolean' | 'user';

/**
 * One argument type: reads typed text or a platform option into a typed value, or refuses with one
 * specific message. `placeholder` is what usage lines show for it (`<image.iso>`); `maxLength` is the
 * word's own limit, which Discord's input box enforces too.
 */
export interface Resolver<T extends ArgValue = ArgValue> {
  readonly option: OptionKind;
  readonly placeholder?: string;
  readonly maxLength?: number;
  /** Plain text: the limit when the spec gives none. */
  readonly defaultMaxLength?: number;
  fromText(spec: ArgShape, text: string, ctx?: ResolveContext): T;
  /** A structured option (Discord); by default the option's text goes through fromText. */
  fromOption?(spec: ArgShape, value: ArgValue, ctx?: ResolveContext): T;
}

function usage(message: string): never {
  throw new UserError('usage', message);
}

function tooLong(name: string, text: string, max: number): void {
  if (text.length > max) usage(`${name} is too long (${text.length} characters, at most ${max})`);
}

/** A word from src/words/: its length first (so a huge value is not matched), then its pattern. */
function word(pattern: RegExp, maxLength: number, says: string, placeholder?: string): Resolver<string> {
  return {
    option: 'string',
    placeholder,
    maxLength,
    fromText(spec, text) {
      if (text === '') usage(`${spec.name} must not be empty`);
      tooLong(spec.name, text, maxLength);
      if (!pattern.test(text)) usage(`${spec.name} ${says}`);
      return text;
    },
  };
}

/** Plain text with the spec's own limits and choices: `string` is one word, `text` the rest of the line. */
function plain(defaultMax: number): Resolver<string> {
  return {
    option: 'string',
    defaultMaxLength: defaultMax,
    fromText(spec, text) {
      if (spec.choices) {
        if (!spec.choices.includes(text)) usage(`${spec.name} must be one of: ${spec.choices.join(', ')}`);
        return text;
      }
      const min = spec.minLength ?? 1;
      if (text.length < min) usage(min === 1 ? `${spec.name} must not be empty` : `${spec.name} needs at least ${min} characters`);
      tooLong(spec.name, text, spec.maxLength ?? defaultMax);
      if (spec.pattern && !spec.pattern.test(text)) usage(`${spec.name} ${spec.patternSays ?? `must match ${spec.pattern.source}`}`);
      return text;
    },
  };
}

const WHOLE = /^[+-]?\d{1,16}$/;

const integer: Resolver<number> = {
  option: 'integer',
  fromText(spec, text) {
    const min = spec.min ?? Number.MIN_SAFE_INTEGER;
    const max = spec.max ?? Number.MAX_SAFE_INTEGER;
    const range = spec.min !== undefined && spec.max !== undefined ? ` from ${min} to ${max}` : '';
    const n = WHOLE.test(text) ? Number(text) : NaN;
    if (!(n >= min && n <= max)) usage(`${spec.name} must be a whole number${range}`);
    return n;
  },
};

const boolean: Resolver<boolean> = {
  option: 'boolean',
  fromText: (_spec, text) => text === 'true',
  fromOption: (_spec, value) => value === true || value === 'true',
};

const duration: Resolver<number> = {
  option: 'string',
  placeholder: 'duration',
  maxLength: DURATION_MAX_LENGTH,
  fromText(spec, text) {
    tooLong(spec.name, text, DURATION_MAX_LENGTH);
    const r = readDuration(text, spec.min ?? 1, spec.max);
    if (!r.ok) usage(`${spec.name} ${durationError(r)}`);
    return r.ms;
  },
};

const principal: Resolver<string> = {
  option: 'user',
  maxLength: PRINCIPAL_KEY_MAX_LENGTH,
  fromText: (spec, text, ctx) => principalText(spec, text, ctx),
  fromOption: (spec, value, ctx) => principalOption(spec, value, ctx),
};

/** Every argument type, by the name an ArgSpec gives as its `type`. */
export const RESOLVERS = {
  string: plain(200),
  text: plain(4000),
  integer,
  boolean,
  duration,
  principal,
  image: word(IMAGE_NAME, IMAGE_MAX_LENGTH, 'must be an image name ending in .iso (letters, digits, . _ -); /images lists them', 'image.iso'),
  drive: word(DRIVE_REF, DRIVE_REF_MAX_LENGTH, 'must be a drive name such as dvd1, or agent/drive when several agents have one (/drives lists them)'),
  job: word(JOB_ID, JOB_ID_MAX_LENGTH, 'must be a job id such as b7k2x9q (letters, digits, . _ : -); /jobs lists them'),
  agent: word(AGENT_NAME, AGENT_NAME_MAX_LENGTH, 'must be an agent name (letters, digits and _); /drives lists them'),
  target: word(TARGET_NAME, TARGET_NAME_MAX_LENGTH, 'must be a deploy target name (letters, digits, _ and -); /deploy list shows them'),
  schedule: word(SCHEDULE_NAME, SCHEDULE_NAME_MAX_LENGTH, 'must be a schedule or alert name (lower-case letters, digits and -); /schedule list shows them'),
  code: word(CONFIRM_CODE, CONFIRM_CODE_LENGTH, `must be the ${CONFIRM_CODE_LENGTH}-character code the request showed`),
  // A ref's shape is the target's own refPattern (config), checked by the deploy service; here only its size.
  ref: { ...plain(REF_MAX_LENGTH), maxLength: REF_MAX_LENGTH },
} as const satisfies Record<string, Resolver>;

export type ArgType = keyof typeof RESOLVERS;
/** What a type's resolver gives the handler: `duration` → number (ms), `principal` → string (a key) … */
export type ResolvedValue<T extends ArgType> = ReturnType<(typeof RESOLVERS)[T]['fromText']>;

/** The resolver of a spec's type. */
export function resolverOf(spec: { readonly type: ArgType }): Resolver {
  return RESOLVERS[spec.type];
}

/** What usage lines show for an argument: its choices, its type's placeholder, or its name. */
export function placeholderOf(spec: ArgShape & { readonly type: ArgType }): string {
  if (spec.choices) return spec.choices.join('|');
  return resolverOf(spec).placeholder ?? spec.name;
}

/** The longest value an argument takes: the word's own limit, or the spec's for plain text. */
export function maxLengthOf(spec: ArgShape & { readonly type: ArgType }): number | undefined {
  const r = resolverOf(spec);
  return r.maxLength ?? (r.defaultMaxLength !== undefined ? (spec.maxLength ?? r.defaultMaxLength) : undefined);
}
