import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { SlashCommand } from '@slack/bolt';
import { errorReply } from '../../core/error-reply.js';
import { toBotError } from '../../core/errors.js';
import type { Invocation } from '../../core/define-command.js';
import type { Reply } from '../../core/reply.js';
import type { DispatchFn } from '../types.js';
import { principalKey, routeSlash } from './names.js';
import type { SeenKeys } from '../../services/seen-keys.js';
import { firstIssue, slashCommand, type SlashCommandIn } from './inbound.js';
import { escapeText, toSlackMessage, unescapeText, type SlackMessage } from './render.js';
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
   * How long a command may take to answer inside the ack. Slack's deadline is 3 s end to end, so
   * this leaves room for the network; slower commands are acked empty and answered via response_url.
   */
  readonly ackBudgetMs: number;
}

/** How a command is answered: the ack (within Slack's 3 s) and, later, its response_url. */
export interface CommandIO {
  readonly ack: (msg?: SlackMessage) => Promise<void>;
  readonly respond: (msg: SlackMessage) => Promise<unknown>;
  readonly retryNum?: number | undefined;
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
 * redeliveries, dispatch, answer in the ack or later through response_url.
 */
export async function runCommand(deps: CommandDeps, c: SlashCommandIn, ev: CommandIO): Promise<void> {
  const log = deps.log.child({ trigger: c.trigger_id, slackCommand: c.command });
  // A retry carries the trigger id of the first delivery; running it again could start a job twice.
  if (c.trigger_id && !(await deps.seen.firstSeen(c.trigger_id))) {
    log.info({ retryNum: ev.retryNum }, 'redelivered command ignored');
    await ev.ack();
    return;
  }
  const inv = invocationOf(c, deps.prefix, deps.umbrella);
  const starter = deps.transport.starter(inv.principal, c.channel_id);
  const work: Promise<Reply> = deps.dispatch(inv, starter).catch((err: unknown) => {
    // The dispatcher maps handler errors itself; this only catches a bug, and the user still hears back.
    log.error({ err }, 'dispatch failed');
    return errorReply(toBotError(err, inv.id));
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => (timer = setTimeout(() => resolve(LATE), deps.ackBudgetMs)));
  const first = await Promise.race([work, late]);
  clearTimeout(timer);
  if (first !== LATE) {
    await ev.ack(toSlackMessage(first, deps.rename));
    return;
  }
  await ev.ack();
  const reply = await work;
  try {
    await ev.respond(toSlackMessage(reply, deps.rename));
  } catch (err) {
    log.warn({ err, invocationId: inv.id }, 'late reply through response_url failed');
  }
}

function invocationOf(c: SlashCommandIn, prefix: string, umbrella: string): Invocation {
  const routed = routeSlash(prefix, umbrella, c.command, unescapeText(c.text));
  return {
    id: randomUUID(),
    platform: 'slack',
    principal: { key: principalKey(c.team_id, c.user_id), name: c.user_name || c.user_id },
    room: c.channel_id,
    command: routed.command,
    text: routed.text,
    receivedAt: new Date(),
  };
}
