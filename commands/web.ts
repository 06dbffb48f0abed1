import { commandUsing } from '../src/core/define-command.js';
import { UserError } from '../src/core/errors.js';
import { reply } from '../src/core/reply.js';
import { LINK_TTL_MS, type WebPort } from '../src/services/web/index.js';

export default commandUsing<WebPort>()({
  name: 'web',
  description: 'A one-time link that signs you in to the web view (valid 5 minutes)',
  examples: ['/web'],
  roles: ['viewer'],
  sideEffects: false,
  async handler(ctx) {
    const web = ctx.services.web;
    if (!web) throw new UserError('not_configured', 'the web view is not configured here (add a web section: docs/web.md)');
    const token = await web.links.issue(ctx.invocation.principal);
    // Private to the caller (ephemeral): whoever holds the link signs in as them until it is used.
    return reply(`your sign-in link, for you only, valid ${LINK_TTL_MS / 60_000} minutes and once: ${web.origin}/web/signin?t=${token}`, { visibility: 'ephemeral' });
  },
});
