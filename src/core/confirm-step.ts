import type { Access } from './access.js';
import { argsFingerprint, type ConfirmStore, type Pending } from './confirmations.js';
import type { Args, Invocation } from './define-command.js';
import { UserError } from './errors.js';
import { refusal } from './refusal.js';
import { shownPath, type Registry, type Target } from './registry.js';
import type { Reply } from './reply.js';

/** The confirm step: holds the request and answers with the code its caller must confirm. */
export async function askToConfirm<Svc>(store: ConfirmStore, inv: Invocation, target: Target<Svc>, args: Args, prompt: string): Promise<Reply> {
  const p = await store.add({ principalKey: inv.principal.key, path: target.path, args, invocation: inv, specs: argsFingerprint(target.args) });
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
  const target = heldTarget(registry, pending);
  await access.prepare(inv.principal);
  const d = access.decide(inv.principal, target.path, target.roles, pending.invocation.room);
  if (!d.allow) throw new UserError('denied', refusal(d, shownPath(target), inv.principal.key));
  return { pending, target };
}

/**
 * The command a held request names, looked up again: config may have been reloaded since. Its
 * arguments were checked against the specs of that time; if a reload changed them, nothing runs.
 */
export function heldTarget<Svc>(registry: Registry<Svc>, pending: Pick<Pending, 'path' | 'specs'>): Target<Svc> {
  const [name, sub] = pending.path.split(' ');
  const def = registry.get(name ?? '');
  const resolved = def && registry.resolve(def, '', sub);
  if (!resolved || 'error' in resolved) throw new UserError('not_found', `/${pending.path} is no longer available`);
  if (argsFingerprint(resolved.target.args) !== pending.specs)
    throw new UserError('conflict', `/${shownPath(resolved.target)} changed since it was asked for (the config was reloaded); nothing was run. Ask again`);
  return resolved.target;
}
