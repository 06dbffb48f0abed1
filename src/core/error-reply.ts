import type { Reply } from './reply.js';
import type { UserError } from './errors.js';

/** The one place that turns an error into what the user reads; always ephemeral. */
export function errorReply(err: UserError, usage?: string): Reply {
  const text = err.code === 'usage' && usage ? `${err.message}. Usage: ${usage}` : err.message;
  return { text, visibility: 'ephemeral', code: err.code };
}
