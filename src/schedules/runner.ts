import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AlertEntry, ScheduleEntry } from '../config/schedules.js';
import type { AuditSink } from '../core/audit.js';
import type { Dispatcher } from '../core/dispatcher.js';
import { isErrorCode } from '../core/error-catalogue.js';
import { UserError, type ErrorCode } from '../core/errors.js';
import { reply, type Reply } from '../core/reply.js';
import type { ThreadStarter } from '../core/thread.js';
import type { Principal } from '../core/principal.js';
import type { StatusService } from '../core/ports.js';
import { checkAgentAlert, type AgentStates } from './agent-alert.js';
import { checkAlert, timeOfDay } from './alert.js';
import type { Outbox, ScheduleStore, Tick } from './types.js';

/**
 * A run that starts more than this long after it was due is marked late (a catch-up after
 * downtime): one interval for a schedule that runs more often than once a minute, else a minute.
 */
export function lateAfterMs(s: ScheduleEntry): number {
  return s.every !== undefined ? Math.min(60_000, s.every) : 60_000;
}

/** The system principal a schedule runs as: never a chat user's key (those have a platform prefix). */
export function schedulePrincipal(name: string): Principal {
  return { key: `system:schedule:${name}`, name: `schedule ${name}` };
}

/** The key an alert's checks are audited under. */
function alertPrincipalKey(name: string): string {
  return `system:alert:${name}`;
}

export interface RunnerDeps {
  readonly dispatcher: Pick<Dispatcher, 'dispatch'>;
  readonly status?: StatusService;
  /** Where each alert check's row goes; a schedule's row is the dispatcher's. */
  readonly audit?: AuditSink;
  readonly store: ScheduleStore;
  readonly outbox: Outbox;
  readonly log: Logger;
  readonly now: () => Date;
  /** Device agents' states, for agent alerts (built after the schedules, hence a getter). */
  readonly devices?: () => AgentStates | undefined;
}

// A scheduled command has nobody to follow a thread: a command that would start one is refused.
const NO_THREADS: ThreadStarter = {
  startThread: async () => {
    throw new UserError('unavailable', 'a scheduled command cannot start a thread');
  },
};

/** Runs one schedule (its command through the dispatcher, the reply posted) or one alert check. */
export class ScheduleRunner {
  constructor(
    private readonly schedules: ReadonlyMap<string, ScheduleEntry>,
    private readonly alerts: ReadonlyMap<string, AlertEntry>,
    private readonly deps: RunnerDeps,
  ) {}

  /** Runs `name` and records its outcome; returns the outcome in words. */
  async run(name: string, tick: Tick): Promise<string> {
    const now = this.deps.now();
    const s = this.schedules.get(name);
    const a = this.alerts.get(name);
    const late = s !== undefined && !tick.manual && now.getTime() - tick.scheduledAt.getTime() > lateAfterMs(s);
    let outcome: string;
    try {
      if (s) outcome = await this.#schedule(s, tick, now, late);
      else if (a) outcome = await this.#audited(a, now, () => (a.agents ? checkAgentAlert(a, a.agents, this.deps.devices?.(), this.deps.store, this.deps.outbox) : this.#alert(a, now)));
      else {
        // A job left in Redis by an older config: nothing to run.
        this.deps.log.warn({ schedule: name }, 'no schedule or alert of this name in the config; tick ignored');
        return 'unknown';
      }
    } catch (err) {
      this.deps.log.warn({ err, schedule: name }, 'scheduled run failed');
      outcome = `failed: ${(err as Error).message}`;
    }
    await this.deps.store
      .recordRun(name, { at: now.toISOString(), outcome, late })
      .catch((err: unknown) => this.deps.log.warn({ err, schedule: name }, 'could not record the run'));
    this.deps.log.info({ schedule: name, outcome, late, manual: tick.manual }, 'scheduled run');
    return outcome;
  }

  async #schedule(s: ScheduleEntry, tick: Tick, now: Date, late: boolean): Promise<string> {
    const m = /^\/(\S+)\s*([\s\S]*)$/.exec(s.command);
    const inv = {
      id: randomUUID(),
      platform: s.post.platform,
      principal: schedulePrincipal(s.name),
      room: s.post.channel,
      command: m?.[1] ?? '',
      text: m?.[2] ?? '',
      receivedAt: now,
    };
    const first = await this.deps.dispatcher.dispatch(inv, NO_THREADS);
    // A channel post is made once: a reply with a later answer (a cold /status) posts the final one.
    const r = first.later ? await first.later : first;
    await this.deps.outbox.deliver(s.post, { reply: labelled(r, heading(s, tick, now, late)), mentions: [] });
    const result = r.code ? `posted the ${r.code} reply` : 'posted';
    return late ? `${result} (late)` : result;
  }

  /**
   * An alert check reads the status table and may post to a channel, with no dispatcher in between:
   * it writes its own audit row (docs/schedules.md), one per check, whatever the check's end.
   */
  async #audited(a: AlertEntry, now: Date, check: () => Promise<string>): Promise<string> {
    const started = performance.now();
    let errorCode: ErrorCode | undefined;
    try {
      return await check();
    } catch (err) {
      errorCode = err instanceof UserError && isErrorCode(err.code) ? err.code : 'internal';
      throw err;
    } finally {
      this.deps.audit?.write({
        at: now,
        invocationId: randomUUID(),
        principalKey: alertPrincipalKey(a.name),
        platform: a.post.platform,
        room: a.post.channel,
        command: 'alert',
        argsJson: JSON.stringify(a.agents ? { name: a.name, agents: a.agents } : { name: a.name, window: a.window }),
        decision: 'allow',
        outcome: errorCode === undefined ? 'ok' : 'error',
        durationMs: Math.round(performance.now() - started),
        ...(errorCode === undefined ? {} : { errorCode }),
      });
    }
  }

  async #alert(a: AlertEntry, now: Date): Promise<string> {
    if (!this.deps.status) throw new UserError('not_configured', 'status is not configured');
    const check = await checkAlert(a, this.deps.status, now);
    const before = await this.deps.store.swapAlert(a.name, check.firing);
    // The first check ever only posts when the condition holds; after that, only changes post.
    if (before === check.firing || (before === undefined && !check.firing)) return `${check.firing ? 'firing' : 'clear'}, no change: ${check.summary}`;
    const text = check.firing ? `🔴 alert ${a.name}: ${check.summary}` : `🟢 alert ${a.name} cleared: ${check.summary}`;
    try {
      await this.deps.outbox.deliver(a.post, { reply: reply(text, { visibility: 'channel' }), mentions: a.mention });
    } catch (err) {
      // Put the old state back, so the next check sees the transition again and retries the post.
      await this.deps.store.swapAlert(a.name, before ?? false).catch(() => undefined);
      throw err;
    }
    return `${check.firing ? 'fired' : 'cleared'}, posted: ${check.summary}`;
  }
}

/** `[morning-status 09:00 Europe/Berlin]`, with `late: ran 09:47` or `run by hand` when so. */
function heading(s: ScheduleEntry, tick: Tick, now: Date, late: boolean): string {
  if (tick.manual) return `[${s.name}, run by hand]`;
  const due = clock(tick.scheduledAt, s.timezone);
  return late ? `[${s.name} ${due} ${s.timezone}, late: ran ${clock(now, s.timezone)}]` : `[${s.name} ${due} ${s.timezone}]`;
}

/** HH:MM, or HH:MM:SS when the tick is not on a whole minute (every: 30s). */
function clock(at: Date, tz: string): string {
  if (at.getUTCSeconds() === 0) return timeOfDay(at, tz);
  return new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(at);
}

/** The reply as a channel post under its label; a confirm button would make no sense in a digest. */
function labelled(r: Reply, label: string): Reply {
  const { confirm: _, ...rest } = r;
  return { ...rest, text: `${label} ${r.text}`, visibility: 'channel' };
}
