import type { ArgSpec } from './arg-spec.js';
import type { ResolvedValue } from './resolvers.js';

/**
 * The value one spec resolves to: one of its choices, or what its type's resolver returns
 * (src/core/resolvers.ts: a number for `integer` and `duration` in ms, a boolean, a string).
 */
type ValueOf<S extends ArgSpec> = S extends { readonly choices: readonly (infer C extends string)[] } ? C : ResolvedValue<S['type']>;

/** A required argument, or one with a default, is always there after parsing; any other may be missing. */
type AlwaysThere<S extends ArgSpec> = S extends { readonly required: true } ? true : S extends { readonly default: string | number | boolean } ? true : false;

/**
 * What a handler reads as `ctx.args`, from the command's own specs: `{ image: string; drive: string | undefined }`.
 * parse.ts produces exactly this shape from the same specs (docs/security.md, "What is validated where").
 */
export type ArgsOf<A extends readonly ArgSpec[]> = {
  readonly [S in A[number] as S['name']]: AlwaysThere<S> extends true ? ValueOf<S> : ValueOf<S> | undefined;
};
