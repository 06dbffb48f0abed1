import { commandUsing, type CommandContext } from '../src/core/define-command.js';
import { ROLES, type Role } from '../src/words/roles.js';
import { formatDuration } from '../src/words/duration.js';
import { UserError } from '../src/core/errors.js';
import { clip } from '../src/core/format.js';
import { isGrantSource, type GrantRoles } from '../src/core/grants/grant-roles.js';
import type { Grant } from '../src/core/grants/types.js';
import { reply } from '../src/core/reply.js';
import type { ThreadRef } from '../src/core/thread.js';
import type { GrantsPort, ClockPort } from '../src/core/ports.js';

/** The ports this command uses (docs/architecture.md, "Ports"). */
type Uses = GrantsPort & ClockPort;

const GRANT_ROLES: readonly Role[] = ['admin'];
const MEMORY_ONLY = ' (MySQL is not configured: grants live in this process and will not survive a restart)';

function grantsOf(ctx: CommandContext<unknown, Uses>): GrantRoles {
  const g = ctx.services.grants;
  if (!g) throw new UserError('not_configured', 'grants are not available here');
  return g;
}

function describe(g: Grant, now: number): string {
  const left = formatDuration(Math.max(0, g.expiresAt.getTime() - now));
  return `#${g.id} ${g.role} for ${g.principalKey}, ${left} left (until ${g.expiresAt.toISOString().slice(0, 16)}Z), by ${g.grantedBy}${g.reason ? ` — ${clip(g.reason, 100)}` : ''}`;
}

/**
 * Only a configured admin grants (docs/access.md#time-boxed-grants): never to themselves, and never
 * on the strength of a grant, or a time-boxed admin could extend itself, and hand admin on, forever.
 */
function checkGranter(ctx: CommandContext<unknown, Uses>, key: string, path: string, roles: readonly Role[]): void {
  const by = ctx.invocation.principal;
  if (key === by.key) throw new UserError('denied', 'you cannot grant yourself a role; ask another admin');
  const needed = ctx.access.needed(path, roles);
  const allowing = ctx.access.held(by).filter((h) => h.role === 'admin' || needed.includes(h.role));
  if (allowing.length && allowing.every((h) => isGrantSource(h.source)))
    throw new UserError('denied', `your ${allowing[0]!.role} role is itself a grant (${allowing[0]!.source}): only an admin from config, a Slack group or a Discord role may grant roles`);
}

/** The announcement in the channel; its reference lets any replica post the expiry line under it. */
async function announce(ctx: CommandContext<unknown, Uses>, text: string): Promise<ThreadRef | undefined> {
  try {
    return await ctx.threads.startThread(text);
  } catch (err) {
    ctx.log.warn({ err }, 'grant not announced in the channel');
    return undefined;
  }
}

export default commandUsing<Uses>()({
  name: 'access',
  description: 'Time-boxed grants: give someone a role for a while, revoke it, list them',
  examples: ['/access grant @bob operator 2h disk swap on burner1', '/access revoke 12', '/access list'],
  roles: ['admin'],
  sideEffects: true,
  subcommands: {
    grant: {
      description: 'give a user a role for a while (at most access.grants.maxDuration)',
      args: [
        { name: 'user', type: 'principal', description: 'a mention or a principal key', required: true },
        { name: 'role', type: 'string', description: 'the role to give', required: true, choices: ROLES },
        { name: 'duration', type: 'duration', description: 'how long: 30m, 2h, 1d', required: true },
        { name: 'reason', type: 'text', description: 'why (shown in the channel)', maxLength: 200 },
      ],
      roles: GRANT_ROLES,
      sideEffects: true,
      async handler(ctx) {
        const grants = grantsOf(ctx);
        const { user: key, role, duration: ms, reason } = ctx.args;
        checkGranter(ctx, key, 'access grant', GRANT_ROLES);
        if (ms > grants.maxMs) throw new UserError('bad_input', `a grant lasts at most ${formatDuration(grants.maxMs)} (access.grants.maxDuration)`);
        const by = ctx.invocation.principal;
        const expiresAt = new Date(ctx.services.now().getTime() + ms);
        const ref = await announce(ctx, `${by.name} grants ${key} the ${role} role for ${formatDuration(ms)}${reason ? ` (${reason})` : ''}`);
        const g = await grants.store.add({ principalKey: key, role, expiresAt, grantedBy: by.key, reason, announce: ref });
        await grants.changed();
        return reply(`grant #${g.id}: ${key} has the ${role} role until ${expiresAt.toISOString().slice(0, 19)}Z; /access revoke ${g.id} ends it${grants.store.durable ? '' : MEMORY_ONLY}`, { visibility: ref ? 'ephemeral' : 'channel' });
      },
    },
    revoke: {
      description: 'end a grant now, on every replica',
      args: [{ name: 'grant', type: 'integer', description: 'the grant number (see /access list)', required: true, min: 1, max: 2 ** 53 - 1 }],
      roles: ['admin'],
      sideEffects: true,
      async handler(ctx) {
        const grants = grantsOf(ctx);
        const id = ctx.args.grant;
        const r = await grants.store.revoke(id, ctx.invocation.principal.key, ctx.services.now());
        if (!r.ok) throw new UserError(r.reason === 'unknown' ? 'not_found' : 'conflict', r.reason === 'unknown' ? `there is no grant #${id}` : `grant #${id} has already ${r.reason === 'revoked' ? 'been revoked' : 'expired'}`);
        await grants.changed();
        return reply(`grant #${id} revoked by ${ctx.invocation.principal.name}: ${r.grant.principalKey} no longer has the ${r.grant.role} role from it`, { visibility: 'channel' });
      },
    },
    list: {
      description: 'grants in force now',
      roles: ['admin'],
      sideEffects: false,
      async handler(ctx) {
        const grants = grantsOf(ctx);
        await grants.refresh(true);
        const now = ctx.services.now().getTime();
        const active = grants.active();
        const durable = grants.store.durable ? '' : MEMORY_ONLY;
        return reply(active.length ? active.map((g) => describe(g, now)).join('\n') + (durable ? `\n${durable.trim()}` : '') : `no grants in force${durable}`);
      },
    },
  },
});
