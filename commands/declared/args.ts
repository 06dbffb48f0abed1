import type { ArgSpec } from '../../src/core/arg-spec.js';
import { RESOLVERS } from '../../src/core/resolvers.js';
import { anchored } from '../../src/config/commands-check.js';
import type { DeclaredArg } from '../../src/config/commands.js';

/**
 * A declared `string` without its own pattern: one word that cannot be read as an option (`-rf`),
 * walk a path (`..`) or carry a NUL or a line break (docs/commands.md, "Argument types").
 */
export const DEFAULT_STRING_PATTERN = /^(?!.*\.\.)[A-Za-z0-9_][A-Za-z0-9_.:@+-]*$/u;
const DEFAULT_STRING_SAYS = 'must be one word of letters, digits and _ . : @ + - (not starting with -, without ..)';


/** A declared argument as the core's ArgSpec (src/core/arg-spec.ts), read by the same resolvers as built-ins. */
export function toArgSpec(a: DeclaredArg): ArgSpec {
  const fallback = 'default' in a ? a.default : undefined;
  // An argument with a default is optional; any other is required unless it says `required: false`.
  const base = { name: a.name, description: a.description ?? a.name, required: fallback === undefined && a.required !== false };
  switch (a.type) {
    case 'string':
      return { ...base, type: 'string', ...(a.pattern === undefined ? { pattern: DEFAULT_STRING_PATTERN, patternSays: DEFAULT_STRING_SAYS } : { pattern: anchored(a.pattern) }), ...(a.maxLength ? { maxLength: a.maxLength } : {}), ...(a.default !== undefined ? { default: a.default } : {}) };
    case 'enum':
      return { ...base, type: 'string', choices: a.values, ...(a.default !== undefined ? { default: a.default } : {}) };
    case 'integer':
      return { ...base, type: 'integer', ...(a.min !== undefined ? { min: a.min } : {}), ...(a.max !== undefined ? { max: a.max } : {}), ...(a.default !== undefined ? { default: a.default } : {}) };
    case 'duration': {
      const spec: ArgSpec = { ...base, type: 'duration', ...(a.min !== undefined ? { min: a.min } : {}), ...(a.max !== undefined ? { max: a.max } : {}) };
      // parse.ts hands a default over as given: a duration's is read into milliseconds here, once.
      return a.default === undefined ? spec : { ...spec, default: RESOLVERS.duration.fromText(spec, a.default) };
    }
    case 'user':
      return { ...base, type: 'principal' };
    case 'agent':
    case 'drive':
      return { ...base, type: a.type, ...(a.default !== undefined ? { default: a.default } : {}) };
  }
}
