import type { ArgShape, ArgValue } from './resolve-context.js';
import type { ArgType } from './resolvers.js';

export type { ArgType } from './resolvers.js';
export type { ArgValue } from './resolve-context.js';

/**
 * One argument. Its `type` names the resolver that reads it (src/core/resolvers.ts): `string`, `text`,
 * `integer` and `boolean` take the limits of ArgShape; a word (`image`, `drive`, `duration`, `principal` …)
 * brings its own pattern and limit from src/words/. `text` takes the rest of the line verbatim (only as
 * the last positional); `flag: true` makes it a `--name` (boolean) or `--name=value` option instead of a
 * positional. The same spec drives parsing, validation, /help, Discord options and the Slack usage hint.
 * Its limits (`choices`, `min`/`max` — a duration's in ms —, `minLength`/`maxLength`, `pattern`) are
 * the ArgShape a resolver reads; a word's length is its own, and defineCommand refuses one here.
 */
export interface ArgSpec extends ArgShape {
  readonly type: ArgType;
  readonly description: string;
  readonly required?: boolean;
  readonly flag?: boolean;
  readonly default?: string | number | boolean;
  /** A completion source name the platform may offer (`images`, `targets`). */
  readonly autocomplete?: string;
}

export type Args = Readonly<Record<string, ArgValue | undefined>>;
