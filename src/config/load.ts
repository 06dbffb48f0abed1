import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { OperatorError } from '../core/errors.js';
import { resolveKeyFiles } from './key-files.js';
import { checkedConfigSchema, type Config } from './schema.js';
import { unknownKeyMessages } from './unknown-keys.js';

/** A config that cannot be used; `issues` lists every offending key path with what was expected. */
export class ConfigError extends OperatorError<'config_invalid'> {
  constructor(
    readonly source: string,
    readonly issues: readonly string[],
  ) {
    super('config_invalid', `invalid config ${source}:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A ConfigError raised while the app is built (it knows no file) names `source`, the file the config came from. */
export async function namingFile<T>(source: string, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ConfigError && err.source === 'config') throw new ConfigError(source, err.issues);
    throw err;
  }
}

export interface Loaded {
  readonly config: Config;
  readonly source: string;
  /** Values substituted from the environment: redacted wherever they could be logged. */
  readonly secrets: readonly string[];
  /** Whether the file names `log.level` itself (the console keeps an explicit `info`, lowers the default). */
  readonly logLevelSet: boolean;
  /** The top-level keys the file itself names: none for an empty file (`""`, `null`, only comments). */
  readonly sections: readonly string[];
  /** Reads a variable of the environment the config was loaded with (plugins' `env:<NAME>` secrets, docs/plugins.md). */
  readonly env: (name: string) => string | undefined;
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Parses YAML text, substitutes `${ENV}` in string values, validates, and deep-freezes. */
export function parseConfig(text: string, env: NodeJS.ProcessEnv, source: string): Loaded {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter: lines });
  if (doc.errors.length > 0) throw new ConfigError(source, [...new Set(doc.errors.map((e) => yamlIssue(e, lines)))]);
  const issues: string[] = [];
  const secrets: string[] = [];
  const raw: unknown = doc.toJS() ?? {};
  const keyFiles = resolveKeyFiles(substitute(raw, [], env, issues, secrets), source, issues, secrets);
  const sections = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? Object.keys(raw) : [];
  return { ...validate(keyFiles.config, source, issues, keyFiles.failed), secrets, env: envReader(env), logLevelSet: ownKey(ownKey(raw, 'log'), 'level') !== undefined, sections };
}

/** `YAML: <what> at line 2, column 10`: the parser's own words and position, without its source excerpt. */
function yamlIssue(e: YAMLError, lines: LineCounter): string {
  const at = lines.linePos(e.pos[0]);
  return `YAML: ${e.message} at line ${at.line}, column ${at.col}`;
}

/** `v[key]` when `v` is a map that has it as its own key, else undefined. */
function ownKey(v: unknown, key: string): unknown {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : undefined;
}

/** Validates an already-built object (the embedded demo defaults, tests). */
export function buildConfig(raw: unknown, source = 'embedded defaults'): Config {
  return validate(raw, source, []).config;
}

/**
 * `reported`: key paths already explained (a key file that cannot be read); the schema's complaints
 * there would contradict the docs (`file` is allowed, `public` is not needed), so they are left out.
 */
function validate(raw: unknown, source: string, issues: string[], reported: readonly string[] = []): { config: Config; source: string } {
  const r = checkedConfigSchema.safeParse(raw);
  if (!r.success) {
    for (const i of r.error.issues) {
      const where = i.path.join('.');
      if (reported.some((p) => where === p || where.startsWith(`${p}.`))) continue;
      const messages = i.code === 'unrecognized_keys' ? unknownKeyMessages(checkedConfigSchema, i.path, i.keys) : [i.message];
      for (const m of messages) issues.push(`${where || '(top level)'}: ${m}`);
    }
  }
  if (issues.length > 0 || !r.success) throw new ConfigError(source, issues);
  return { config: deepFreeze(r.data), source };
}

function substitute(v: unknown, path: (string | number)[], env: NodeJS.ProcessEnv, issues: string[], secrets: string[]): unknown {
  if (typeof v === 'string') {
    return v.replace(ENV_REF, (_m, name: string) => {
      const value = env[name];
      if (value === undefined) {
        issues.push(`${path.join('.')}: environment variable ${name} is not set`);
        return '';
      }
      if (value.length >= 4) secrets.push(value);
      return value;
    });
  }
  if (Array.isArray(v)) return v.map((x, i) => substitute(x, [...path, i], env, issues, secrets));
  if (v && typeof v === 'object') {
    // Validation copies maps key by key, and an assignment to `__proto__` sets a prototype instead: the
    // entry would vanish without a word. No command, channel or target is named that, so it is refused.
    if (Object.hasOwn(v, '__proto__')) issues.push(`${[...path, '__proto__'].join('.')}: a key named __proto__ cannot be used`);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, [...path, k], env, issues, secrets)]));
  }
  return v;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** A variable of `env` by name, own properties only; a name is never looked up on a prototype. */
export function envReader(env: NodeJS.ProcessEnv): (name: string) => string | undefined {
  return (name) => (Object.hasOwn(env, name) ? env[name] : undefined);
}

/** Where the config comes from: --config, then OPSLINE_CONFIG, then ./opsline.yaml. */
export function configPath(flag: string | undefined, env: NodeJS.ProcessEnv): { path: string; explicit: boolean } {
  if (flag) return { path: flag, explicit: true };
  if (env.OPSLINE_CONFIG) return { path: env.OPSLINE_CONFIG, explicit: true };
  return { path: 'opsline.yaml', explicit: false };
}

/** Reads the config file; undefined when the default file is absent (an explicit path must exist). */
export function loadConfigFile(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Loaded | undefined {
  const { path, explicit } = configPath(flag, env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (!explicit && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(path, [`cannot read: ${(err as Error).message}`]);
  }
  return parseConfig(text, env, path);
}

/** Like loadConfigFile, for commands that cannot run without a config: a missing one is a ConfigError. */
export function requireConfigFile(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Loaded {
  const loaded = loadConfigFile(flag, env);
  if (!loaded) throw new ConfigError('opsline.yaml', ['no config found: pass --config, set OPSLINE_CONFIG or create ./opsline.yaml']);
  return loaded;
}
