import type { Decision } from './access.js';

/** What a refused caller reads: the role needed and their own key, so an admin can add them. */
export function refusal(d: Extract<Decision, { allow: false }>, path: string, key: string): string {
  const roles = d.needed.length > 0 ? d.needed.join(' or ') : 'admin';
  if (d.reason === 'channel') return `/${path} is not allowed in this channel`;
  if (d.reason === 'unknown_principal')
    return `you are not on the allowlist. /${path} needs the ${roles} role; your key is ${key} (an admin can add it)`;
  return `/${path} needs the ${roles} role; your key is ${key} (an admin can grant it)`;
}
