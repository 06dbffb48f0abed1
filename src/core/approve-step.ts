import type { Access } from './access.js';
import type { Role } from '../words/roles.js';
import { heldTarget } from './confirm-step.js';
import { argsFingerprint, type ConfirmStore, type Pending } from './confirmations.js';
import type { Args, CommandContext, Invocation } from './define-command.js';
import { formatDuration } from '../words/duration.js';
import { UserError } from './errors.js';
import { refusal } from './refusal.js';
import { shownPath, targetOf, type Registry, type Target } from './registry.js';
import type { Reply } from './reply.js';

/** Requests held for a second person; the roles each path requires are `access.approvers`, read from Access (a reload swaps them). */
export interface Approvals {
  readonly store: ConfirmStore;
}

/** Config for the path, then for the command, plus what the command itself asks (a deploy target's approvers). */
export async function approversOf<Svc>(target: Target<Svc>, ctx: CommandContext<Args, Svc>): Promise<readonly Role[] | undefined> {
  const configured = ctx.access.approvers(target.path);
  const def = target.sub === undefined ? target.command : Object.entries(target.command.subcommands ?? {}).find(([n]) => n === target.sub)?.[1];
  const own = (await def?.approvers?.(ctx)) ?? [];
  const all = [...new Set([...configured, ...own])];
  return all.length ? all : undefined;
}

/**
 * The approval step: holds the request and shows, in the channel, the code someone else holding
 * one of `approvers` must approve. Returns undefined when the request needs no approval.
 */
export async function holdForApproval<Svc>(a: Approvals, target: Target<Svc>, ctx: CommandContext<Args, Svc>): Promise<Reply | undefined> {
  const approvers = await approversOf(target, ctx);
  if (!approvers) return undefined;
  const inv = ctx.invocation;
  const p = await a.store.add({ principalKey: inv.principal.key, path: target.path, args: ctx.args, invocation: inv, approvers, specs: argsFingerprint(target.args) });
  const roles = approvers.join(' or ');
  const text = `${inv.principal.name} asks to run /${shownPath(target)}${describeArgs(ctx.args)}; it needs the approval of someone else with the ${roles} role within ${formatDuration(a.store.ttlMs)}: /approve ${p.code}`;
  return { text, visibility: 'channel', approve: { code: p.code, expiresInSec: Math.round(a.store.ttlMs / 1000) } };
}

/**
 * The held request `code` names, for an approver: someone other than the requester, holding one
 * of its approver roles, in time; and the requester still allowed to run it. Anything else runs nothing.
 */
export async function takeApproved<Svc>(a: Approvals, registry: Registry<Svc>, access: Access, code: string, inv: Invocation): Promise<{ pending: Pending; target: Target<Svc> }> {
  const peeked = await a.store.peek(code);
  if (peeked && peeked.principalKey !== inv.principal.key) {
    const needed = peeked.approvers ?? [];
    const roles = access.rolesOf(inv.principal);
    if (!roles.includes('admin') && !roles.some((r) => needed.includes(r)))
      throw new UserError('denied', `approving /${shownOf(registry, peeked.path)} needs the ${needed.join(' or ')} role; your key is ${inv.principal.key}. Nothing was run`);
  }
  const taken = await a.store.take(code, inv.principal.key);
  if (!taken.ok) {
    if (taken.reason === 'self') throw new UserError('denied', `request ${code} is your own; someone else must approve it. Nothing was run`);
    if (taken.reason === 'expired') throw new UserError('timeout', `request ${code} has expired; nothing was run. Ask again`);
    throw new UserError('not_found', `no request is waiting for approval ${code}; nothing was run`);
  }
  const pending = taken.pending;
  const target = heldTarget(registry, pending);
  // The requester's roles may have changed while the request waited (a grant expired, a group changed).
  const requester = pending.invocation.principal;
  await access.prepare(requester);
  const d = access.decide(requester, target.path, target.roles, pending.invocation.room);
  if (!d.allow) throw new UserError('denied', `${requester.name} may no longer run it: ${refusal(d, shownPath(target), requester.key)}. Nothing was run`);
  return { pending, target };
}

/** A held request's path as a caller would type it (shownPath), or as stored if its command is gone. */
function shownOf(registry: Registry, path: string): string {
  const [name = '', sub] = path.split(' ');
  const def = registry.get(name);
  try {
    return def ? shownPath(targetOf(def, sub)) : path;
  } catch {
    return path;
  }
}

function describeArgs(args: Args): string {
  const values = Object.values(args).filter((v) => v !== undefined && v !== false);
  return values.length ? ` ${values.map(String).join(' ')}` : '';
}
