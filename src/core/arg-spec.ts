export type ArgType = 'string' | 'integer' | 'boolean' | 'text';

/**
 * One argument. `text` takes the rest of the line verbatim (only as the last positional);
 * `flag: true` makes it a `--name` (boolean) or `--name=value` option instead of a positional.
 * The same spec drives parsing, validation, /help, Discord options and the Slack usage hint.
 */
export interface ArgSpec {
  readonly name: string;
  readonly type: ArgType;
  readonly description: string;
  readonly required?: boolean;
  readonly flag?: boolean;
  readonly choices?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  /** What the pattern asks for, said when a value does not match (`must end in .iso`). */
  readonly patternHint?: string;
  readonly default?: string | number | boolean;
  /** A completion source name the platform may offer (`images`, `targets`). */
  readonly autocomplete?: string;
}

export type ArgValue = string | number | boolean;
export type Args = Readonly<Record<string, ArgValue | undefined>>;
