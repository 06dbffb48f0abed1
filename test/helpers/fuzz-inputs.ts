import fc from 'fast-check';

/** Keys that reach Object.prototype when input is used to index a plain object (CONVENTIONS.md "At the edges"). */
export const PROTO_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf'] as const;

/** Strings people and attackers send: prototype names, control and bidi characters, lone surrogates, quotes, very long runs. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  // Lone surrogates: invalid in UTF-8, so they arrive as U+FFFD or break naive encoders.
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.constantFrom(...PROTO_NAMES, '', ' ', '"', "'", '\\', '--', '--x=', '\u0000', '\u202e', '\r\n', '%00', '%ZZ', '\uFFFD', '\uD800') },
  // Just over the limits that matter: an argument's 200 and a text's 2,000 and 4,000 characters, Slack's 64 KiB body.
  { weight: 1, arbitrary: fc.constantFrom(201, 2_001, 4_001, 65_537).map((n) => 'x'.repeat(n)) },
);

/** A command line: words drawn from hostile strings, real sub-commands and flags, joined by odd whitespace. */
export function commandText(words: readonly string[]): fc.Arbitrary<string> {
  const word = fc.oneof(hostileString, fc.constantFrom(...words), fc.integer().map(String), fc.constantFrom('"a b"', "'c", '--no-verify', '--n=5', '-1', '1e309'));
  return fc.array(word, { maxLength: 8 }).chain((ws) => fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0').map((sep) => ws.join(sep)));
}

/** JSON values with prototype-named keys among the ordinary ones. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom(...PROTO_NAMES)), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** JSON text `depth` levels deep (arrays, or objects under `key`) around `inner`: what overflows a recursive parser or schema. */
export function nestedJson(depth: number, inner = '1', key?: string): string {
  const [open, close] = key === undefined ? ['[', ']'] : [`{${JSON.stringify(key)}:`, '}'];
  return `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
}

/** Replaces the value at `path` in a JSON-able object (copy), to build wrong-type variants of a valid payload. */
export function withField(base: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(base);
  let at: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) {
    const next = at[k];
    if (!next || typeof next !== 'object') return copy;
    at = next as Record<string, unknown>;
  }
  Object.defineProperty(at, path.at(-1)!, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** Cases per fuzz property: OPSLINE_FUZZ_SCALE multiplies the CI defaults (0.1 for a quick local run). */
export function runs(n: number): number {
  const scale = Number(process.env.OPSLINE_FUZZ_SCALE ?? 1);
  return Math.max(1, Math.round(n * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}
