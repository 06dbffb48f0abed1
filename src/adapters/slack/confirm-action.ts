import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { errorReply } from '../../core/error-reply.js';
import { toBotError } from '../../core/errors.js';
import type { Invocation } from '../../core/define-command.js';
import type { DispatchFn } from '../types.js';
import type { BlockActionsIn } from './inbound.js';
import { principalKey } from './names.js';
import type { SeenKeys } from '../../services/seen-keys.js';
import { APPROVE_ACTION, CONFIRM_ACTION, toSlackMessages, type SlackMessage } from './render.js';
import type { SlackTransport } from './transport.js';

export { APPROVE_ACTION, CONFIRM_ACTION };

export interface ConfirmDeps {
  readonly dispatch: DispatchFn;
  readonly transport: SlackTransport;
  readonly seen: SeenKeys;
  readonly rename: (text: string) => string;
  readonly log: Logger;
}

/**
 * A press of a Confirm button: Bolt has verified the request (same endpoint and signing secret as
 * slash commands) and acked it. The press becomes `/confirm <code>` by whoever pressed it, so the
 * dispatcher decides, and audits, exactly as for a typed confirmation.
 */
export async function handleConfirmAction(deps: ConfirmDeps, body: BlockActionsIn, respond: (m: SlackMessage & { replace_original?: boolean }) => Promise<unknown>): Promise<void> {
  if (body.trigger_id && !(await deps.seen.firstSeen(`action:${body.trigger_id}`))) return;
  const code = body.actions[0]?.value ?? '';
  const team = body.team?.id ?? body.user.team_id ?? '';
  const channel = body.channel?.id ?? '';
  const inv: Invocation = {
    id: randomUUID(),
    platform: 'slack',
    principal: { key: principalKey(team, body.user.id), name: body.user.username || body.user.name || body.user.id },
    room: channel,
    command: body.actions[0]?.action_id === APPROVE_ACTION ? 'approve' : 'confirm',
    text: code,
    receivedAt: new Date(),
  };
  const reply = await deps.dispatch(inv, deps.transport.starter(inv.principal, channel)).catch((err: unknown) => {
    deps.log.error({ err }, 'confirm dispatch failed');
    return errorReply(toBotError(err, inv.id));
  });
  // A confirmation that ran replaces the prompt (its button goes); a refusal leaves it for its owner.
  // A long answer follows as numbered posts, in order (docs/architecture.md, "Long replies").
  const [first, ...rest] = toSlackMessages(reply, deps.rename);
  for (const msg of [{ ...first, replace_original: reply.code === undefined }, ...rest])
    await respond(msg).catch((err: unknown) => deps.log.warn({ err }, 'reply to a confirm button failed'));
}
