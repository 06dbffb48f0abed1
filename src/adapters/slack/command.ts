import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { SlashCommand } from '@slack/bolt';
import { errorReply } from '../../core/error-reply.js';
import { toBotError } from '../../core/errors.js';
import { lazyChild } from '../../core/lazy-log.js';
import type { Invocation } from '../../core/define-command.js';
import type { Principal } from '../../core/principal.js';
import type { Reply } from '../../core/reply.js';
import type { DispatchFn } from '../types.js';
import { principalKey, routeSlash } from './names.js';
import type { SeenKeys } from '../../services/seen-keys.js';
import { firstIssue, slashCommand, type SlashCommandIn } from './inbound.js';
import { deliverAnswer } from './deliver.js';
import { escapeText, toSlackMessages, unescapeText, type SlackMessage } from './render.js';
import type { SlackTransport } from './transport.js';

export interface CommandDeps {
  readonly dispatch: DispatchFn;
  readonly transport: SlackTransport;
  readonly seen: SeenKeys;
  readonly prefix: string;
  /** The command that reaches every other one: `/opsline status today`. */
  readonly umbrella: string;
  /** Puts the prefix into command names that reply text mentions. */
  readonly rename: (text: string) => string;
  readonly log: Logger;
  /**
   * How long after the request's arrival a command may take to answer inside the ack. Slack's
   * deadline is 3 s end to end, so this leaves room for the network; slower commands are acked
   * empty and answered via response_url.
   */
  readonly ackBudgetMs: number;
  /**
   * Starts bringing the caller's roles up to date (the grant-version read in Redis) as the command
   * arrives, beside the dedup check: the dispatcher's access decision then waits for that read
   * instead of making its own round trip after it (src/core/grants/grant-roles.ts). Never throws.
   */
  readonly warm?: ((p: Principal) => void) | undefined;
}

/** How a command is answered: the ack (within Slack's 3 s) and, later, its response_url. */
export interface CommandIO {
  readonly ack: (msg?: SlackMessage) => Promise<void>;
  readonly respond: (msg: SlackMessage & { replace_original?: boolean }) => Promise<unknown>;
  readonly retryNum?: number | undefined;
  /** When the request arrived (ms since the epoch): Slack's 3 s, and so the ack budget, count from here. */
  readonly arrivedAt: number;
  /** The receiver's replay check (the same signed bytes again), run inside the budget like every other check. */
  readonly fresh?: () => Promise<boolean>;
}

export interface CommandEvent extends CommandIO {
  readonly command: SlashCommand;
}

const LATE = Symbol('late');

/** A slash command from Socket Mode, whose body reaches here unchecked: read it strictly, then run it. */
export async function handleCommand(deps: CommandDeps, ev: CommandEvent): Promise<void> {
  const parsed = slashCommand.safeParse(ev.command);
  if (!parsed.success) {
    const reason = firstIssue(parsed.error);
    deps.log.warn({ reason }, 'refused a malformed slash command');
    await ev.ack({ response_type: 'ephemeral', text: `opsline cannot read this command (${escapeText(reason.slice(0, 200))})` });
    return;
  }
  await runCommand(deps, parsed.data, ev);
}

/**
 * One slash command already read against `slashCommand` (an HTTP one by the receiver): drop
 * redeliveries and replays, dispatch, answer in the ack or later through response_url. Every await
 * before the ack (the duplicate checks in Redis included) spends Slack's 3 s, so the budget counts
 * from the request's arrival (docs/slack.md): when it runs out the request is acked empty and the
 * answer follows through response_url. A command that did work is never left without its answer.
 */
export async function runCommand(deps: CommandDeps, c: SlashCommandIn, ev: CommandIO): Promise<void> {
  const log = lazyChild(deps.log, { trigger: c.trigger_id, slackCommand: c.command });
  const work = answer(deps, c, ev, log);
  let timer: NodeJS.Timeout | undefined;
  const left = deps.ackBudgetMs - (Date.now() - ev.arrivedAt);
  const late = new Promise<typeof LATE>((resolve) => (timer = setTimeout(() => resolve(LATE), Math.max(0, left))));
  const first = await Promise.race([work, late]);
  clearTimeout(timer);
  const io = { respond: ev.respond, postSplit: (texts: readonly string[]) => deps.transport.postSplit(c.channel_id, texts), log };
  if (first !== LATE) {
    if (!first) return ev.ack().catch((err: unknown) => log.warn({ err }, 'the empty ack failed'));
    await deliverAnswer({ ...io, ack: ev.ack }, first.parts);
  } else {
    await ev.ack().catch((err: unknown) => log.warn({ err }, 'the empty ack failed; the answer goes through response_url'));
    const parts = (await work)?.parts;
    if (parts) await deliverAnswer(io, parts);
  }
  await followUp(deps, ev, (first === LATE ? await work : first)?.later, log);
}

/** A reply's later answer ("counting…", then the counts) replaces it, through response_url. */
async function followUp(deps: CommandDeps, ev: CommandIO, later: Promise<Reply> | undefined, log: Logger): Promise<void> {
  if (!later) return;
  const [msg, ...rest] = toSlackMessages(await later, deps.rename);
  if (msg) await ev.respond({ ...msg, replace_original: true }).catch((err: unknown) => log.warn({ err }, 'the follow-up through response_url failed'));
  for (const part of rest) await ev.respond(part).catch((err: unknown) => log.warn({ err }, 'the follow-up through response_url failed'));
}

/** The command's answer (and the one that follows it), or undefined for a redelivery or a replay (acked empty, nothing run). */
async function answer(deps: CommandDeps, c: SlashCommandIn, ev: CommandIO, log: Logger): Promise<{ parts: SlackMessage[]; later?: Promise<Reply> } | undefined> {
  // A retry carries the trigger id of the first delivery; running it again could start a job twice.
  // The same signed bytes carry the same trigger id too, so with one the replay key (a second Redis
  // SET on every ack) adds nothing; without one it is the only guard (docs/slack.md).
  const principal = principalOf(c);
  deps.warm?.(principal);
  const [fresh, first] = c.trigger_id ? [true, await deps.seen.firstSeen(c.trigger_id)] : [await (ev.fresh?.() ?? true), true];
  if (!fresh) {
    log.info('replayed Slack request ignored');
    return undefined;
  }
  if (!first) {
    log.info({ retryNum: ev.retryNum }, 'redelivered command ignored');
    return undefined;
  }
  const inv = invocationOf(c, principal, deps.prefix, deps.umbrella, new Date(ev.arrivedAt));
  const reply = await deps.dispatch(inv, deps.transport.starter(inv.principal, c.channel_id)).catch((err: unknown) => {
    // The dispatcher maps handler errors itself; this only catches a bug, and the user still hears back.
    log.error({ err, invocationId: inv.id }, 'dispatch failed');
    return errorReply(toBotError(err, inv.id));
  });
  return { parts: toSlackMessages(reply, deps.rename), later: reply.later };
}

function principalOf(c: SlashCommandIn): Principal {
  return { key: principalKey(c.team_id, c.user_id), name: c.user_name || c.user_id };
}

function invocationOf(c: SlashCommandIn, principal: Principal, prefix: string, umbrella: string, receivedAt: Date): Invocation {
  const routed = routeSlash(prefix, umbrella, c.command, unescapeText(c.text));
  return {
    id: randomUUID(),
    platform: 'slack',
    principal,
    room: c.channel_id,
    command: routed.command,
    text: routed.text,
    receivedAt,
  };
}
