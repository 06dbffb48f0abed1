import type { ArgSpec } from './arg-spec.js';

/** The value one spec parses to: a number, a boolean, one of its choices, or a string. */
type ValueOf<S extends ArgSpec> = S['type'] extends 'integer'
  ? number
  : S['type'] extends 'boolean'
    ? boolean
    : S extends { readonly choices: readonly (infer C extends string)[] }
      ? C
      : string;

/** A required argument, or one with a default, is always there after parsing; any other may be missing. */
type AlwaysThere<S extends ArgSpec> = S extends { readonly required: true } ? true : S extends { readonly default: string | number | boolean } ? true : false;

/**
 * What a handler reads as `ctx.args`, from the command's own specs: `{ image: string; drive: string | undefined }`.
 * parse.ts produces exactly this shape from the same specs (docs/security.md, "What is validated where").
 */
export type ArgsOf<A extends readonly ArgSpec[]> = {
  readonly [S in A[number] as S['name']]: AlwaysThere<S> extends true ? ValueOf<S> : ValueOf<S> | undefined;
};
