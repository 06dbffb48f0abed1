import type { Logger } from 'pino';
import type { AlertEntry, ScheduleEntry } from '../config/schedules.js';
import { durationText } from '../words/duration.js';
import type { Config } from '../config/schema.js';
import type { AuditSink } from '../core/audit.js';
import type { Dispatcher } from '../core/dispatcher.js';
import { OperatorError, UserError } from '../core/errors.js';
import type { StatusService } from '../core/ports.js';
import type { AgentStates } from './agent-alert.js';
import { BullClock } from './bull-clock.js';
import { jobFailurePost, type JobFailure } from './job-failures.js';
import { ChannelPosters, RoutingOutbox } from './outbox.js';
import { ScheduleRunner } from './runner.js';
import { MemoryScheduleStore, RedisScheduleStore } from './stores.js';
import { TimerClock } from './timer-clock.js';
import { onRedis } from '../services/redis-errors.js';
import type { ChannelPoster, Clock, ClockEntry, LastRun, ScheduleStore } from './types.js';

export interface ScheduleRow {
  readonly name: string;
  readonly kind: 'schedule' | 'alert';
  /** `every 15m` or `cron 0 9 * * 1-5 Europe/Berlin`. */
  readonly when: string;
  readonly post: string;
  readonly next?: Date;
  readonly last?: LastRun;
}

/** What `/schedule` needs: every schedule and alert with its next and last run; run one now. */
/** What /schedule is given: schedules and alerts; undefined without `schedules`, `alerts` or `jobFailures`. */
export interface SchedulesPort {
  readonly schedules?: ScheduleService;
}

export interface ScheduleService {
  list(): Promise<ScheduleRow[]>;
  /** Runs it here when this process can post there, else hands it to one that can. */
  runNow(name: string): Promise<string>;
}

export interface Schedules {
  readonly service: ScheduleService;
  /** Starts the clock for the platforms these posters cover (call once the process knows them). */
  start(posters: readonly ChannelPoster[]): Promise<void>;
  /** Posts a failed burn or deploy to `jobFailures.post`, when configured for that kind. */
  jobFailed(f: JobFailure): Promise<void>;
  close(): Promise<void>;
}

export interface ScheduleDeps {
  readonly log: Logger;
  readonly now: () => Date;
  readonly status?: StatusService;
  /** Where alert checks are audited (schedules are audited by the dispatcher). */
  readonly audit?: AuditSink;
  /** The dispatcher is built after the services, this among them: it is looked up at run time. */
  readonly dispatcher: () => Pick<Dispatcher, 'dispatch'>;
  /** Device agents' states for agent alerts; built after the schedules too. */
  readonly devices?: () => AgentStates | undefined;
}

/** Schedules, alerts and job-failure posts from config; undefined when none is configured. */
export function buildSchedules(config: Config, deps: ScheduleDeps): Schedules | undefined {
  const schedules = new Map<string, ScheduleEntry>((config.schedules ?? []).map((s) => [s.name, s]));
  const alerts = new Map<string, AlertEntry>((config.alerts ?? []).map((a) => [a.name, a]));
  if (schedules.size === 0 && alerts.size === 0 && !config.jobFailures) return undefined;
  const log = deps.log.child({ service: 'schedules' });
  const posters = new ChannelPosters();
  const post = (target: { platform: string; channel: string }, p: Parameters<ChannelPoster['post']>[1]) => {
    const poster = posters.get(target.platform);
    if (!poster) throw new OperatorError('post_unroutable', `no poster for ${target.platform} in this process`);
    return poster.post(target.channel, p);
  };
  const redis = config.redis;
  const clock: Clock = redis ? new BullClock({ ...redis, log, post }) : new TimerClock(log);
  const store: ScheduleStore = redis ? new RedisScheduleStore(redis, redis.prefix, log) : new MemoryScheduleStore();
  const outbox = new RoutingOutbox(posters, clock, log);
  const runner = new ScheduleRunner(schedules, alerts, {
    get dispatcher() {
      return deps.dispatcher();
    },
    status: deps.status,
    ...(deps.audit ? { audit: deps.audit } : {}),
    store,
    outbox,
    log,
    now: deps.now,
    ...(deps.devices ? { devices: deps.devices } : {}),
  });
  const entries = new Map<string, ClockEntry>([...[...schedules.values()].map(scheduleClock), ...[...alerts.values()].map(alertClock)]);
  const failures = config.jobFailures;
  return {
    service: {
      async list() {
        return Promise.all([...entries.values()].map(async (e) => row(e, schedules.has(e.name) ? 'schedule' : 'alert', clock, store)));
      },
      async runNow(name) {
        const e = entries.get(name);
        if (!e) throw new UserError('not_found', `no schedule or alert called ${name.slice(0, 40)}; see /schedule list`);
        if (posters.get(e.platform)) return runner.run(name, { scheduledAt: deps.now(), manual: true });
        const handOff = { what: 'the schedule queue', consequence: 'nothing was run or handed over', ifSent: `${name} may or may not have been handed over: /schedule list shows its last run` };
        if (await onRedis(clock.handOff(e), handOff)) return `handed to a process that can post to ${e.platform}; /schedule list shows the outcome`;
        throw new UserError('unavailable', `no running process can post to ${e.platform}; start one (for console posts: opsline console)`);
      },
    },
    async start(list) {
      for (const p of list) posters.add(p);
      await clock.start([...entries.values()], posters.platforms(), async (name, tick) => void (await runner.run(name, tick)));
    },
    async jobFailed(f) {
      if (!failures || !failures.kinds.includes(f.kind)) return;
      await outbox.deliver(failures.post, jobFailurePost(f, failures.mention)).catch((err: unknown) => log.warn({ err, jobId: f.id }, 'could not post the job failure'));
    },
    async close() {
      await clock.close();
      await store.close();
    },
  };
}

function scheduleClock(s: ScheduleEntry): [string, ClockEntry] {
  const base = { name: s.name, platform: s.post.platform, channel: s.post.channel, timezone: s.timezone };
  return [s.name, s.cron !== undefined ? { ...base, cron: s.cron } : { ...base, everyMs: s.every ?? 60_000 }];
}

function alertClock(a: AlertEntry): [string, ClockEntry] {
  return [a.name, { name: a.name, platform: a.post.platform, channel: a.post.channel, timezone: a.timezone, everyMs: a.every }];
}

async function row(e: ClockEntry, kind: ScheduleRow['kind'], clock: Clock, store: ScheduleStore): Promise<ScheduleRow> {
  const when = e.cron !== undefined ? `cron ${e.cron} ${e.timezone}` : `every ${durationText(e.everyMs ?? 0)}`;
  // Bounded: a Redis that does not answer leaves the columns empty rather than holding the list.
  const read = { what: 'the schedule store', consequence: 'nothing was changed' };
  const [next, last] = await Promise.all([onRedis(clock.nextRun(e), read).catch(() => undefined), onRedis(store.lastRun(e.name), read).catch(() => undefined)]);
  return { name: e.name, kind, when, post: `${e.platform} ${e.channel}`, ...(next ? { next } : {}), ...(last ? { last } : {}) };
}

