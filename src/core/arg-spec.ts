import type { ArgValue } from './resolve-context.js';
import type { ArgType } from './resolvers.js';

export type { ArgType } from './resolvers.js';
export type { ArgValue } from './resolve-context.js';

/**
 * One argument. Its `type` names the resolver that reads it (src/core/resolvers.ts): `string`, `text`,
 * `integer` and `boolean` take the limits below; a word (`image`, `drive`, `duration`, `principal` …)
 * brings its own pattern and limit from src/words/. `text` takes the rest of the line verbatim (only as
 * the last positional); `flag: true` makes it a `--name` (boolean) or `--name=value` option instead of a
 * positional. The same spec drives parsing, validation, /help, Discord options and the Slack usage hint.
 */
export interface ArgSpec {
  readonly name: string;
  readonly type: ArgType;
  readonly description: string;
  readonly required?: boolean;
  readonly flag?: boolean;
  readonly choices?: readonly string[];
  /** An integer's range, or a duration's in milliseconds. */
  readonly min?: number;
  readonly max?: number;
  /** For `string` and `text`; a word's length is its own (src/words/names.ts), and defineCommand refuses one here. */
  readonly minLength?: number;
  readonly maxLength?: number;
  /** For `string` and `text`: the value must match, checked after its length (declared commands give one). */
  readonly pattern?: RegExp;
  readonly patternSays?: string;
  readonly default?: string | number | boolean;
  /** A completion source name the platform may offer (`images`, `targets`). */
  readonly autocomplete?: string;
}

export type Args = Readonly<Record<string, ArgValue | undefined>>;
