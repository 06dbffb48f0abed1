/** A value as a resolver gives it (src/core/resolvers.ts) and as a platform option carries it. */
export type ArgValue = string | number | boolean;

/** Who is asking, for the resolvers that read a word relative to them (a mention is a user of their platform). */
export interface ResolveContext {
  readonly platform: string;
  readonly principalKey: string;
  /** The command as typed, for messages that tell the caller how to run it (`/access`). */
  readonly command?: string;
}

/** What a resolver reads of an argument's spec (src/core/arg-spec.ts): its name for messages, and its limits. */
export interface ArgShape {
  readonly name: string;
  readonly choices?: readonly string[];
  /** An integer's range, or a duration's in milliseconds. */
  readonly min?: number;
  readonly max?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** For `string`: the whole value must match (a declared command's `pattern`, docs/commands.md). */
  readonly pattern?: RegExp;
  /** What a value that fails `pattern` is told (`must be …`); else `must match <pattern>`. */
  readonly patternSays?: string;
}
