import type { PostTarget } from '../config/schedules.js';
import type { Reply } from '../core/reply.js';

/** Something to post: a reply, and the principals (keys) to mention in front of it. */
export interface Post {
  readonly reply: Reply;
  readonly mentions: readonly string[];
}

/**
 * Posts a message to a channel of one platform (Slack chat.postMessage, a Discord channel
 * message, a console line). Built from config alone, so any process with the platform's section
 * can post; see docs/schedules.md.
 */
export interface ChannelPoster {
  readonly platform: string;
  post(channel: string, post: Post): Promise<void>;
}

/**
 * Where a post goes when it leaves this process: straight to a local poster, or (when this
 * process cannot post on that platform) handed to a process that can. The one routing point for
 * schedule, alert and job-failure posts.
 */
export interface Outbox {
  deliver(target: PostTarget, post: Post): Promise<void>;
}

/** One run of a schedule or alert: when it was due, and whether a person asked for it. */
export interface Tick {
  readonly scheduledAt: Date;
  readonly manual: boolean;
}

/** What a schedule or alert is to the clock: its name, where it posts, and when it is due. */
export interface ClockEntry {
  readonly name: string;
  readonly platform: string;
  readonly channel: string;
  readonly cron?: string;
  readonly everyMs?: number;
  readonly timezone: string;
}

export type TickHandler = (name: string, tick: Tick) => Promise<void>;

/**
 * Runs entries on time, each tick once across every process that shares it (BullMQ job
 * schedulers), or in this process alone (an in-process timer: the demo, no Redis).
 */
export interface Clock {
  /** Starts ticking the entries whose platform this process can post to. */
  start(entries: readonly ClockEntry[], platforms: ReadonlySet<string>, handler: TickHandler): Promise<void>;
  nextRun(entry: ClockEntry): Promise<Date | undefined>;
  /** Hands a run-now to a process that can post on the entry's platform; false when none can be reached. */
  handOff(entry: ClockEntry): Promise<boolean>;
  /** Hands a post to a process that can post on its platform; false when none can be reached. */
  handOffPost(target: PostTarget, post: Post): Promise<boolean>;
  close(): Promise<void>;
}

export interface LastRun {
  readonly at: string;
  readonly outcome: string;
  readonly late: boolean;
}

/** Last runs and alert states, shared by every replica with Redis (docs/schedules.md). */
export interface ScheduleStore {
  recordRun(name: string, run: LastRun): Promise<void>;
  lastRun(name: string): Promise<LastRun | undefined>;
  /** Sets an alert's state and returns the one before it, in one step: only one caller sees a change. */
  swapAlert(name: string, firing: boolean): Promise<boolean | undefined>;
  close(): Promise<void>;
}
