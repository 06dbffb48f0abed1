import type { Logger } from 'pino';
import type { Access } from './access.js';
import type { AuditDecision, AuditOutcome } from './audit.js';
import { holdForApproval, takeApproved, type Approvals } from './approve-step.js';
import { askToConfirm, takeConfirmed } from './confirm-step.js';
import { Confirmations, type ConfirmStore } from './confirmations.js';
import type { Args, CommandContext, Invocation } from './define-command.js';
import { isErrorCode } from './error-catalogue.js';
import { UserError, toBotError, type ErrorCode } from './errors.js';
import { CONTROL } from './input.js';
import { printableReply } from './printable.js';
import { printableMessage } from './message.js';
import { errorReply } from './error-reply.js';
import { attempt, type Step } from './pipeline-step.js';
import { parseText, parseValues } from './parse.js';
import { refusal } from './refusal.js';
import { closest } from './suggest.js';
import type { Registry, Resolved, Target } from './registry.js';
import type { Reply } from './reply.js';
import { LiveThread } from './live-thread.js';
import { lazyChild } from './lazy-log.js';
import type { ThreadStarter } from './thread.js';
import type { AuditPort, TransportSource } from './ports.js';

/** `Svc`: the services every command is given (the composition root's bag); the dispatcher itself uses only the audit port. */
export interface DispatcherDeps<Svc extends AuditPort = AuditPort> {
  readonly registry: Registry<Svc>;
  readonly access: Access;
  readonly services: Svc;
  readonly log: Logger;
  /** Thread transports by platform, for commands that start or reopen threads. */
  readonly transports?: TransportSource;
  /** Longest argument text accepted; longer input is refused before parsing. */
  readonly maxInputLength?: number;
  /** Requests held for confirmation; tests pass one with their own clock. */
  readonly confirmations?: ConfirmStore;
  /** Requests held for a second person's approval (docs/access.md); without it nothing asks for one. */
  readonly approvals?: Approvals;
}

/** What the audit row adds besides the ending: the role's source, and whose request an approval ran. */
interface AuditExtra {
  roleSource?: string;
  requesterKey?: string;
}

/** How one invocation ended: everything its audit row and its reply need. */
interface Ending {
  readonly decision: AuditDecision;
  readonly outcome: AuditOutcome;
  readonly reply: Reply;
  readonly errorCode?: ErrorCode;
  readonly path?: string;
}

/**
 * The fixed pipeline: resolve → authorise → parse → confirm → run → audit. Authorisation comes
 * before parsing so that a caller who may not run a command learns nothing about its arguments.
 * A command that asks for confirmation is held (audited as `pending`) until its caller confirms
 * the code through the `confirm` command (typed, or a platform button that sends it).
 * Every step runs under `attempt`, so whatever one throws, the caller gets a short coded reply and
 * the invocation exactly one audit row.
 */
export class Dispatcher<Svc extends AuditPort = AuditPort> {
  readonly confirmations: ConfirmStore;

  constructor(private readonly deps: DispatcherDeps<Svc>) {
    this.confirmations = deps.confirmations ?? new Confirmations();
  }

  async dispatch(inv: Invocation, given: ThreadStarter): Promise<Reply> {
    const started = performance.now();
    // What a command shows may carry text from outside (notes, names, agent output): no control
    // character reaches a chat or a terminal as it is (src/core/printable.ts).
    const threads: ThreadStarter = { startThread: (text, opts) => given.startThread(printableMessage(text), opts), ...(given.channel !== undefined ? { channel: given.channel } : {}) };
    // Made when the invocation first logs (src/core/lazy-log.ts): most log nothing at `info`.
    const log = lazyChild(this.deps.log, { invocationId: inv.id, platform: inv.platform, command: inv.command, principal: inv.principal.key });
    let jobId: string | undefined;
    const extra: AuditExtra = {};
    let end: Ending;
    try {
      end = await this.pipeline(inv, threads, log, (id) => (jobId = id), extra);
    } catch (err) {
      // Not reached by design (every step is guarded); kept so a future step cannot cost the audit row.
      log.error({ err }, 'dispatcher failed');
      const e = toBotError(err, inv.id);
      end = { decision: 'invalid', outcome: 'error', errorCode: e.code, reply: errorReply(e) };
    }
    end = catalogued(end, inv.id, log);
    const later = end.reply.later;
    if (!later) {
      // The row is stored before the reply leaves (docs/hosting.md, "What a SIGKILL loses").
      await this.audit(inv, end, jobId, extra, started, log);
      return printableReply(end.reply);
    }
    // The invocation ends with its final answer: the audit row waits for it and tells its outcome.
    const final = later.then(
      (r) => ({ ...end, ...(r.code ? { outcome: 'error' as const, errorCode: r.code } : {}), reply: printableReply({ ...r, later: undefined }) }),
      (err: unknown) => {
        if (!(err instanceof UserError)) log.error({ err }, 'command failed');
        const e = toBotError(err, inv.id);
        return { ...end, outcome: 'error' as const, errorCode: e.code, reply: errorReply(e) };
      },
    ).then((f) => catalogued(f, inv.id, log));
    // The final answer, too, waits for its row to be stored.
    const audited = final.then(async (f) => (await this.audit(inv, f, jobId, extra, started, log), f.reply));
    return { ...printableReply(end.reply), later: audited };
  }

  /** The invocation's one audit row, stored when the sink can (AuditSink); a failure to write it is logged, never thrown. */
  private async audit(inv: Invocation, end: Ending, jobId: string | undefined, extra: AuditExtra, started: number, log: Logger): Promise<void> {
    const durationMs = Math.round(performance.now() - started);
    try {
      // A refusal, or a command that changes something: its row is stored before the reply leaves.
      const changes = end.decision !== 'allow' || (end.path !== undefined && this.deps.registry.target(end.path)?.sideEffects !== false);
      await this.deps.services.audit.write({
        at: inv.receivedAt,
        invocationId: inv.id,
        principalKey: inv.principal.key,
        platform: inv.platform,
        room: inv.room,
        command: end.path ?? inv.command.slice(0, 64),
        argsJson: argsJson(inv),
        decision: end.decision,
        outcome: end.outcome,
        jobId,
        durationMs,
        errorCode: end.errorCode,
        roleSource: extra.roleSource,
        requesterKey: extra.requesterKey,
      }, changes);
    } catch (err) {
      log.error({ err }, 'audit write failed');
    }
    log.debug({ decision: end.decision, outcome: end.outcome, durationMs }, 'done');
  }

  private async pipeline(inv: Invocation, threads: ThreadStarter, log: Logger, setJobId: (id: string) => void, extra: AuditExtra): Promise<Ending> {
    const bug = (step: string) => (err: unknown) => log.error({ err, step }, 'step failed');
    const resolved = await attempt('invalid', inv.id, () => this.resolve(inv), bug('resolve')).then((r) => (r.ok ? r : this.strangerFirst(inv, r)));
    const path = resolved.ok ? resolved.value.target.path : undefined;
    const allowed = resolved.ok ? await attempt('deny', inv.id, () => this.authorise(inv, resolved.value, extra), bug('authorise')) : resolved;
    const parsed = allowed.ok ? await attempt('invalid', inv.id, () => this.parse(inv, allowed.value.target, allowed.value.rest), bug('parse')) : allowed;
    if (!parsed.ok) {
      // A caller's mistake, not an operator's event: the audit row has it; debug shows it here.
      log.debug({ code: parsed.error.code }, 'refused');
      const outcome = parsed.error.code === 'internal' ? 'error' : 'refused';
      return { decision: parsed.decision, outcome, errorCode: parsed.error.code, reply: safeErrorReply(parsed.error, parsed.usage), path };
    }
    const { target, args } = parsed.value;
    let outcome: AuditOutcome = 'ok';
    const ran = await attempt<Reply>('allow', inv.id, async () => {
      const ctx = this.context(inv, args, threads, log, setJobId, extra);
      const held = this.deps.approvals && (await holdForApproval(this.deps.approvals, target, ctx));
      if (held) {
        outcome = 'pending';
        return { ok: true, value: held };
      }
      const prompt = target.confirm ? await target.confirm(ctx) : undefined;
      if (prompt === undefined) return { ok: true, value: await target.handler(ctx) };
      outcome = 'pending';
      return { ok: true, value: await askToConfirm(this.confirmations, inv, target, args, prompt) };
    }, (err) => (err instanceof UserError ? log.debug({ code: err.code }, 'command error') : log.error({ err }, 'command failed')));
    if (ran.ok) return { decision: 'allow', outcome, reply: ran.value, path };
    return { decision: 'allow', outcome: 'error', errorCode: ran.error.code, reply: safeErrorReply(ran.error, target.usage), path };
  }

  /** Runs a held request for the caller who confirms it: theirs, in time, and still allowed. */
  private async confirmed(code: string, inv: Invocation, threads: ThreadStarter, log: Logger, setJobId: (id: string) => void): Promise<Reply> {
    const { pending, target } = await takeConfirmed(this.confirmations, this.deps.registry, this.deps.access, code, inv);
    log.info({ confirms: pending.invocation.id, path: pending.path }, 'confirmed');
    // The original request's own context, but threads start where the confirmation came from.
    return target.handler(this.context({ ...pending.invocation, platform: inv.platform }, pending.args, threads, log, setJobId));
  }

  /** Runs a held request for someone other than its requester who may approve it; the audit row names both. */
  private async approved(code: string, inv: Invocation, threads: ThreadStarter, log: Logger, setJobId: (id: string) => void, extra: AuditExtra): Promise<Reply> {
    if (!this.deps.approvals) throw new UserError('not_found', `no request is waiting for approval ${code}; nothing was run`);
    const { pending, target } = await takeApproved(this.deps.approvals, this.deps.registry, this.deps.access, code, inv);
    extra.requesterKey = pending.principalKey;
    log.info({ approves: pending.invocation.id, path: pending.path, requester: pending.principalKey }, 'approved');
    // The thread starts where the approval came from, but it is the requester's: they hear when it ends.
    const requester = pending.invocation.principal;
    const theirs: ThreadStarter = { startThread: async (text, opts) => ({ ...(await threads.startThread(text, opts)), requester }), ...(threads.channel !== undefined ? { channel: threads.channel } : {}) };
    return target.handler(this.context({ ...pending.invocation, platform: inv.platform }, pending.args, theirs, log, setJobId));
  }

  private context(inv: Invocation, args: Args, threads: ThreadStarter, log: Logger, setJobId: (id: string) => void, extra: AuditExtra = {}): CommandContext<Args, Svc> {
    return {
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
      setJobId,
      confirm: (code) => this.confirmed(code, inv, threads, log, setJobId),
      approve: (code) => this.approved(code, inv, threads, log, setJobId, extra),
    };
  }

  private resolve(inv: Invocation): Step<Resolved<Svc>> {
    const def = this.deps.registry.get(inv.command.toLowerCase());
    if (!def) {
      const name = inv.command.slice(0, 32).replace(new RegExp(CONTROL, 'g'), '?');
      const near = closest(inv.command.slice(0, 32), this.deps.registry.all().map((c) => c.name));
      return { ok: false, decision: 'unknown', error: new UserError('unknown_command', `unknown command /${name}; ${near ? `did you mean /${near}? ` : ''}try /help`) };
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

  /**
   * A known command that could not be resolved (`/note` without a subcommand) would answer with its
   * usage, which names subcommands: someone off the allowlist hears only that they are off it.
   */
  private async strangerFirst(inv: Invocation, failed: Step<never> & { ok: false }): Promise<Step<Resolved<Svc>>> {
    if (failed.error.code !== 'usage') return failed;
    await this.deps.access.prepare(inv.principal, inv.receivedAt.getTime());
    const access = this.deps.access;
    if (access.rolesOf(inv.principal).length === 0)
      return { ok: false, decision: 'deny', error: new UserError('denied', `you are not on the allowlist; your key is ${inv.principal.key} (an admin can add it)`) };
    // Someone with roles, but none for any part of this command, learns no more about it than its name.
    const def = this.deps.registry.get(inv.command.toLowerCase());
    const targets = this.deps.registry.targets().filter((t) => t.command === def);
    const decide = access.decider(inv.principal);
    if (targets.some((t) => decide(t.path, t.roles).allow)) return failed;
    const needed = [...new Set(targets.flatMap((t) => access.needed(t.path, t.roles)))];
    const roles = needed.length ? needed.join(' or ') : 'admin';
    return { ok: false, decision: 'deny', error: new UserError('denied', `/${def?.name ?? inv.command} needs the ${roles} role; your key is ${inv.principal.key} (an admin can grant it)`) };
  }

  private async authorise(inv: Invocation, r: Resolved<Svc>, extra: AuditExtra): Promise<Step<Resolved<Svc>>> {
    await this.deps.access.prepare(inv.principal, inv.receivedAt.getTime());
    const d = this.deps.access.decide(inv.principal, r.target.path, r.target.roles, inv.room);
    if (d.allow) {
      extra.roleSource = d.source;
      return { ok: true, value: r };
    }
    return { ok: false, decision: 'deny', error: new UserError('denied', refusal(d, r.named, inv.principal.key)) };
  }

  private parse(inv: Invocation, target: Target<Svc>, rest: string): Step<{ target: Target<Svc>; args: ReturnType<typeof parseText> }> {
    try {
      const who = { platform: inv.platform, principalKey: inv.principal.key, command: inv.command };
      const args = inv.options ? parseValues(target.args, inv.options.values, who) : parseText(target.args, rest, who);
      return { ok: true, value: { target, args } };
    } catch (err) {
      // A bug (not a UserError) goes on to `attempt`, which logs it and gives the caller a reference.
      if (!(err instanceof UserError)) throw err;
      return { ok: false, decision: 'invalid', error: err, usage: target.usage };
    }
  }
}

/** Arguments as the audit row keeps them; very long text is cut (its length is kept) so rows stay small. */
function argsJson(inv: Invocation): string {
  try {
    if (inv.options) return JSON.stringify(inv.options).slice(0, 4000);
    const text = inv.text ?? '';
    return JSON.stringify(text.length > 2000 ? { text: text.slice(0, 2000), length: text.length } : { text });
  } catch {
    return '{"unserialisable":true}';
  }
}

/**
 * `audit_log.error_code` holds only the catalogue's codes (docs/errors.md). A code outside it (a
 * plugin's typo, a command written in plain JavaScript) is a bug: the caller reads `internal` with a
 * reference, and the row says `internal`.
 */
function catalogued(end: Ending, ref: string, log: Logger): Ending {
  const code: string | undefined = end.errorCode;
  if (code === undefined || isErrorCode(code)) return end;
  log.error({ code: code.slice(0, 64) }, 'a command ended with an error code that is not in the catalogue');
  const e = toBotError(new Error('uncatalogued error code'), ref);
  return { ...end, outcome: 'error', errorCode: e.code, reply: errorReply(e) };
}

/** The error reply, or a fixed line if building it fails (a usage getter that throws, say). */
function safeErrorReply(err: UserError, usage?: string): Reply {
  try {
    return errorReply(err, typeof usage === 'string' ? usage : undefined);
  } catch {
    return { text: 'something went wrong on our side', visibility: 'ephemeral', code: 'internal' };
  }
}
