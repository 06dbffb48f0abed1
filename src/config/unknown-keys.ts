import type { z } from 'zod';
import { closest } from '../core/suggest.js';

/** The parts of a zod schema's definition that lead from a config path to the keys allowed there. */
interface Def {
  readonly type: string;
  readonly innerType?: Schema;
  readonly in?: Schema;
  readonly shape?: Readonly<Record<string, Schema>>;
  readonly element?: Schema;
  readonly valueType?: Schema;
}
type Schema = { readonly _zod: { readonly def: Def } };

// Wrappers whose inner schema holds the keys (`.optional()`, `.default()`, `.prefault()`, a transform's input).
const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'nonoptional', 'readonly', 'catch']);

/** The keys an object schema allows at `path` (array indexes and record keys are stepped over); [] if none. */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s = schema as unknown as Schema;
  let rest = path;
  for (;;) {
    const def = s._zod.def;
    const inner = WRAPPERS.has(def.type) ? def.innerType : def.type === 'pipe' ? def.in : undefined;
    if (inner) {
      s = inner;
      continue;
    }
    if (rest.length === 0) return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
    const [head, ...tail] = rest;
    const next =
      def.type === 'object' ? (def.shape && typeof head === 'string' && Object.hasOwn(def.shape, head) ? def.shape[head] : undefined)
      : def.type === 'array' ? def.element
      : def.type === 'record' ? def.valueType
      : undefined;
    if (!next) return [];
    s = next;
    rest = tail;
  }
}

/** `Unrecognized key: "redsi" (did you mean "redis"?)`, one line per unknown key, as commander suggests options. */
export function unknownKeyMessages(schema: z.ZodType, path: readonly PropertyKey[], keys: readonly string[]): string[] {
  const known = keysAt(schema, path);
  return keys.map((k) => {
    const guess = closest(k, known);
    return `Unrecognized key: ${JSON.stringify(k)}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}`;
  });
}
