import type { Access } from './access.js';
import type { ConfirmStore, Pending } from './confirmations.js';
import type { Args, Invocation } from './define-command.js';
import { UserError } from './errors.js';
import { refusal } from './refusal.js';
import { shownPath, type Registry, type Target } from './registry.js';
import type { Reply } from './reply.js';

/** The confirm step: holds the request and answers with the code its caller must confirm. */
export async function askToConfirm(store: ConfirmStore, inv: Invocation, path: string, args: Args, prompt: string): Promise<Reply> {
  const p = await store.add({ principalKey: inv.principal.key, path, args, invocation: inv });
  const secs = Math.round(store.ttlMs / 1000);
  return { text: `${prompt}\nConfirm within ${secs} s: /confirm ${p.code}`, visibility: 'ephemeral', confirm: { code: p.code, expiresInSec: secs } };
}

/**
 * The held request `code` names, for the caller confirming it: theirs, in time, and the caller still
 * allowed to run it (roles may have changed in the minute between). Anything else runs nothing.
 */
export async function takeConfirmed<Svc>(store: ConfirmStore, registry: Registry<Svc>, access: Access, code: string, inv: Invocation): Promise<{ pending: Pending; target: Target<Svc> }> {
  const taken = await store.take(code, inv.principal.key);
  if (!taken.ok) {
    if (taken.reason === 'foreign') throw new UserError('denied', `confirmation ${code} belongs to ${taken.owner ?? 'someone else'}; only they can confirm it. Nothing was run`);
    if (taken.reason === 'expired') throw new UserError('timeout', `confirmation ${code} has expired; nothing was run. Ask again`);
    throw new UserError('not_found', `no request is waiting for confirmation ${code} (codes last ${Math.round(store.ttlMs / 1000)} s); nothing was run`);
  }
  const pending = taken.pending;
  const target = heldTarget(registry, pending.path);
  await access.prepare(inv.principal);
  const d = access.decide(inv.principal, target.path, target.roles, pending.invocation.room);
  if (!d.allow) throw new UserError('denied', refusal(d, shownPath(target), inv.principal.key));
  return { pending, target };
}

/** The command a held request names, looked up again: config may have been reloaded since. */
export function heldTarget<Svc>(registry: Registry<Svc>, path: string): Target<Svc> {
  const [name, sub] = path.split(' ');
  const def = registry.get(name ?? '');
  const resolved = def && registry.resolve(def, '', sub);
  if (!resolved || 'error' in resolved) throw new UserError('not_found', `/${path} is no longer available`);
  return resolved.target;
}
