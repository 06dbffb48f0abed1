import type { Invocation } from '../../core/define-command.js';
import { UserError } from '../../core/errors.js';
import { lazyChild } from '../../core/lazy-log.js';
import type { Message } from '../../core/message.js';
import { reply } from '../../core/reply.js';
import type { ThreadRef, ThreadStarter } from '../../core/thread.js';
import type { Principal } from '../../core/principal.js';
import type { DispatchFn } from '../types.js';
import type { Incoming, InteractionEnv } from './env.js';
import { readOptions } from './options.js';
import { InteractionSession, type Responder, type RestThread } from './session.js';

/**
 * One slash command: place check, dispatch, and the answer within Discord's deadline. The reply
 * is sent directly when the dispatcher is quick; otherwise the interaction is deferred at
 * `deferAfterMs` after its arrival and the reply follows through the interaction webhook. Every
 * await runs inside that budget, the replay check (`fresh`, Redis) included; it resolves to
 * 'replayed' when that check says the interaction was handled before, and nothing runs.
 */
export async function handleCommand(inc: Incoming, responder: Responder, dispatch: DispatchFn, env: InteractionEnv, fresh?: () => Promise<boolean>): Promise<'replayed' | undefined> {
  const session = new InteractionSession({ rest: env.rest, applicationId: env.config.applicationId, token: inc.token, responder });
  // The member's role ids travel with the principal: access.discordRoles needs no extra call.
  const principal: Principal = { key: `discord:${inc.userId}`, name: inc.userName, guild: inc.guildId, memberRoles: inc.memberRoles };
  const log = lazyChild(env.log, { interactionId: inc.id, command: inc.command, principal: principal.key });
  const timer = setTimeout(() => {
    session.deferIfOpen().catch((err: unknown) => log.warn({ err }, 'deferring the interaction failed'));
  }, Math.max(0, env.deferAfterMs - (Date.now() - inc.receivedAt.getTime())));
  try {
    if (fresh && !(await fresh())) return 'replayed';
    const refused = placeRefusal(inc, env);
    if (refused) {
      auditPlaceRefusal(inc, principal, env);
      clearTimeout(timer);
      await session.finish(reply(refused));
      return undefined;
    }
    const { subcommand, values } = readOptions(inc.options);
    const inv: Invocation = {
      id: inc.id,
      platform: 'discord',
      principal,
      room: inc.channelId,
      command: inc.command,
      options: { subcommand, values },
      receivedAt: inc.receivedAt,
    };
    const r = await dispatch(inv, starter(session, inc, principal, env));
    clearTimeout(timer);
    await session.finish(r, restThread(inc, env));
    // A later answer ("counting…", then the counts) replaces the first in place.
    if (r.later) await session.replace(await r.later);
  } catch (err) {
    clearTimeout(timer);
    // The dispatcher maps handler errors itself; this is a failed Discord call or a bug.
    log.error({ err }, 'interaction failed');
    await session.finish(reply(`internal error (reference ${inc.id})`)).catch(() => undefined);
  } finally {
    clearTimeout(timer);
  }
  return undefined;
}

/** The interaction reply becomes the root; a thread started from it carries the job's progress. */
function starter(session: InteractionSession, inc: Incoming, requester: Principal, env: InteractionEnv): ThreadStarter {
  return {
    channel: inc.channelId,
    async startThread(rootText: Message): Promise<ThreadRef> {
      const rootId = await session.openRoot(rootText).catch((err: unknown) => {
        const down = discordDown(err);
        throw down ? new UserError('unavailable', down, { cause: err }) : err;
      });
      const ref: ThreadRef = { platform: 'discord', channel: inc.channelId, rootId, requester };
      try {
        return { ...ref, threadId: await env.transport.createThread(inc.channelId, rootId, rootText) };
      } catch (err) {
        // E.g. the command ran inside a thread, where no thread can be started: report in the channel.
        env.log.warn({ err, channel: inc.channelId }, 'could not start a thread; progress goes to the channel');
        return ref;
      }
    },
  };
}

/** Where the rest of a long in-channel reply goes: a thread from its first message (docs/architecture.md, "Long replies"). */
function restThread(inc: Incoming, env: InteractionEnv): RestThread {
  return {
    open: (rootId) => env.transport.createThread(inc.channelId, rootId, `/${inc.command}: the rest of the reply`),
    post: async (threadId, body) => void (await env.transport.postBody(threadId, body)),
  };
}

/** The optional guild and channel allowlists (`discord.guilds`, `discord.channels`). */
export function placeRefusal(inc: Incoming, env: InteractionEnv): string | undefined {
  const { guilds, channels } = env.config;
  if (guilds && !(inc.guildId && guilds.includes(inc.guildId))) return 'opsline is not enabled in this server';
  if (channels && !channels.includes(inc.channelId)) return 'opsline is not enabled in this channel';
  return undefined;
}

/** Refused before the dispatcher, so written here: every invocation leaves one audit record. */
function auditPlaceRefusal(inc: Incoming, principal: Principal, env: InteractionEnv): void {
  env.audit.write({
    at: inc.receivedAt,
    invocationId: inc.id,
    principalKey: principal.key,
    platform: 'discord',
    room: inc.channelId,
    command: inc.command.slice(0, 64),
    argsJson: JSON.stringify({ guild: inc.guildId ?? null, ...readOptions(inc.options) }).slice(0, 4000),
    decision: 'deny',
    outcome: 'refused',
    durationMs: Math.max(0, Date.now() - inc.receivedAt.getTime()),
    errorCode: 'denied',
  });
}

/**
 * What a person reads when Discord's API cannot take the job's first message: it is not answering
 * (5xx, no connection, a timeout) or it refused the interaction's token. Other refusals (a body
 * Discord does not accept) are opsline's bug, left as they are.
 */
function discordDown(err: unknown): string | undefined {
  const { status, name, message } = err as { status?: unknown; name?: unknown; message?: unknown };
  if (typeof status === 'number' && status >= 500) return `Discord's API is not answering (HTTP ${status})`;
  if (status === 401) return "Discord refused this interaction's token (HTTP 401)";
  if (typeof status !== 'number' && (name === 'AbortError' || name === 'TimeoutError' || /fetch failed|ECONNREFUSED|ECONNRESET/.test(String(message))))
    return "Discord's API cannot be reached";
  return undefined;
}
