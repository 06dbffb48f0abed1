import { mention, type Mention } from '../core/message.js';
import type { Post } from './types.js';

/**
 * The principals a post names, as typed mentions for the poster's renderer. A configured key has no
 * display name, so the user part of the key stands in for it (`console:alice` → `@alice`).
 */
export function postMentions(p: Post): Mention[] {
  return p.mentions.map((key) => mention({ key, name: key.slice(key.lastIndexOf(':') + 1) }));
}
