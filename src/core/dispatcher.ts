import type { Logger } from 'pino';
import type { Access, Decision } from './access.js';
import type { AuditDecision, AuditOutcome } from './audit.js';
import type { Invocation } from './define-command.js';
import { UserError, toBotError } from './errors.js';
import { errorReply } from './error-reply.js';
import { parseText, parseValues } from './parse.js';
import type { Registry, Target } from './registry.js';
import type { Reply } from './reply.js';
import { LiveThread } from './live-thread.js';
import type { ThreadStarter, Transports } from './thread.js';
import type { Services } from '../services/types.js';

export interface DispatcherDeps {
  readonly registry: Registry;
  readonly access: Access;
  readonly services: Services;
  readonly log: Logger;
  /** Thread transports by platform, for commands that start or reopen threads. */
  readonly transports?: Transports;
  /** Longest argument text accepted; longer input is refused before parsing. */
  readonly maxInputLength?: number;
}

type Step<T> = { ok: true; value: T } | { ok: false; error: UserError; decision: AuditDecision; usage?: string };

// Control characters other than tab and newline never belong in a command.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/**
 * The fixed pipeline: resolve → authorise → parse → run → audit. Authorisation comes before parsing
 * so that a caller who may not run a command learns nothing about its arguments.
 */
export class Dispatcher {
  constructor(private readonly deps: DispatcherDeps) {}

  async dispatch(inv: Invocation, threads: ThreadStarter): Promise<Reply> {
    const started = performance.now();
    const log = this.deps.log.child({ invocationId: inv.id, platform: inv.platform, command: inv.command, principal: inv.principal.key });
    let jobId: string | undefined;
    let decision: AuditDecision;
    let reply: Reply;
    let outcome: AuditOutcome = 'ok';
    let errorCode: string | undefined;
    const resolved = this.resolve(inv);
    const allowed = resolved.ok ? this.authorise(inv, resolved.value) : resolved;
    const parsed = allowed.ok ? this.parse(inv, allowed.value.target, allowed.value.rest) : allowed;
    if (!parsed.ok) {
      decision = parsed.decision;
      outcome = 'refused';
      errorCode = parsed.error.code;
      reply = errorReply(parsed.error, parsed.usage);
      log.info({ code: parsed.error.code }, 'refused');
    } else {
      decision = 'allow';
      const { target, args } = parsed.value;
      try {
        reply = await target.handler({
          invocation: inv,
          args,
          services: this.deps.services,
          log,
          registry: this.deps.registry,
          access: this.deps.access,
          threads,
          openThread: (root, status) => {
            const transport = this.deps.transports?.get(inv.platform);
            if (!transport) throw new UserError('not_configured', `threads are not available on ${inv.platform}`);
            return LiveThread.open(threads, transport, root, status, log);
          },
          reopenThread: (ref) => {
            const transport = this.deps.transports?.get(ref.platform);
            return transport && LiveThread.reopen(transport, ref, log);
          },
          mention: (who) => this.deps.transports?.get(inv.platform)?.mention(who) ?? `@${who.name}`,
          setJobId: (id) => {
            jobId = id;
          },
        });
      } catch (err) {
        const e = toBotError(err, inv.id);
        if (e.code === 'internal') log.error({ err }, 'command failed');
        else log.info({ code: e.code }, 'command error');
        outcome = 'error';
        errorCode = e.code;
        reply = errorReply(e, target.usage);
      }
    }
    const durationMs = Math.round(performance.now() - started);
    this.deps.services.audit.write({
      at: inv.receivedAt,
      invocationId: inv.id,
      principalKey: inv.principal.key,
      platform: inv.platform,
      room: inv.room,
      command: resolved.ok ? resolved.value.target.path : inv.command.slice(0, 64),
      argsJson: argsJson(inv),
      decision,
      outcome,
      jobId,
      durationMs,
      errorCode,
    });
    log.debug({ decision, outcome, durationMs }, 'done');
    return reply;
  }

  private resolve(inv: Invocation): Step<{ target: Target; rest: string }> {
    const def = this.deps.registry.get(inv.command.toLowerCase());
    if (!def) {
      const name = inv.command.slice(0, 32).replace(new RegExp(CONTROL, 'g'), '?');
      return { ok: false, decision: 'unknown', error: new UserError('unknown_command', `unknown command /${name}; try /help`) };
    }
    const text = inv.text ?? '';
    const max = this.deps.maxInputLength ?? 4000;
    if (text.length > max)
      return { ok: false, decision: 'invalid', error: new UserError('bad_input', `input too long: ${text.length} characters, at most ${max}`) };
    if (CONTROL.test(text))
      return { ok: false, decision: 'invalid', error: new UserError('bad_input', 'input contains control characters') };
    const r = this.deps.registry.resolve(def, text, inv.options?.subcommand);
    if ('error' in r) return { ok: false, decision: 'invalid', error: new UserError('usage', r.error), usage: def.usage };
    return { ok: true, value: r };
  }

  private authorise(inv: Invocation, r: { target: Target; rest: string }): Step<{ target: Target; rest: string }> {
    const d = this.deps.access.decide(inv.principal.key, r.target.path, r.target.roles, inv.room);
    if (d.allow) return { ok: true, value: r };
    return { ok: false, decision: 'deny', error: new UserError('denied', refusal(d, r.target.path, inv.principal.key)) };
  }

  private parse(inv: Invocation, target: Target, rest: string): Step<{ target: Target; args: ReturnType<typeof parseText> }> {
    try {
      const args = inv.options ? parseValues(target.args, inv.options.values) : parseText(target.args, rest);
      return { ok: true, value: { target, args } };
    } catch (err) {
      const e = toBotError(err);
      return { ok: false, decision: 'invalid', error: e, usage: target.usage };
    }
  }
}

function refusal(d: Extract<Decision, { allow: false }>, path: string, key: string): string {
  const roles = d.needed.length > 0 ? d.needed.join(' or ') : 'admin';
  if (d.reason === 'channel') return `/${path} is not allowed in this channel`;
  if (d.reason === 'unknown_principal')
    return `you are not on the allowlist. /${path} needs the ${roles} role; your key is ${key} (an admin can add it)`;
  return `/${path} needs the ${roles} role; your key is ${key} (an admin can grant it)`;
}

/** Arguments as the audit row keeps them; very long text is cut (its length is kept) so rows stay small. */
function argsJson(inv: Invocation): string {
  if (inv.options) return JSON.stringify(inv.options).slice(0, 4000);
  const text = inv.text ?? '';
  return JSON.stringify(text.length > 2000 ? { text: text.slice(0, 2000), length: text.length } : { text });
}
