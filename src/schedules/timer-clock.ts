import { defaultRepeatStrategy } from 'bullmq';
import type { Logger } from 'pino';
import type { Clock, ClockEntry, TickHandler } from './types.js';

/** setTimeout takes at most 2^31-1 ms; a longer wait is taken in steps. */
const MAX_WAIT_MS = 2_147_483_647;

/**
 * When an entry is next due after `from`. Cron uses BullMQ's own repeat strategy, so the timer and
 * the job schedulers agree on every tick; `every` counts from when the clock started.
 */
export function nextDue(entry: ClockEntry, from: number, startedAt: number): number {
  if (entry.cron !== undefined) return defaultRepeatStrategy(from, { pattern: entry.cron, tz: entry.timezone }) ?? from + MAX_WAIT_MS;
  const every = entry.everyMs ?? 60_000;
  return startedAt + (Math.floor((from - startedAt) / every) + 1) * every;
}

/**
 * The in-process clock (no Redis: the demo, one process). Each entry's next tick is one timer;
 * a tick that runs long delays the next one rather than overlapping it. Unlike the job
 * schedulers, an `every` entry first runs one interval after start.
 */
export class TimerClock implements Clock {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #next = new Map<string, number>();
  readonly #running = new Set<Promise<void>>();
  #closed = false;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async start(entries: readonly ClockEntry[], platforms: ReadonlySet<string>, handler: TickHandler): Promise<void> {
    const startedAt = this.now();
    for (const e of entries) {
      if (!platforms.has(e.platform)) {
        this.log.warn({ schedule: e.name, platform: e.platform }, 'this process cannot post there, and without Redis no other process takes the tick');
        continue;
      }
      this.#arm(e, nextDue(e, startedAt, startedAt), startedAt, handler);
    }
  }

  async nextRun(entry: ClockEntry): Promise<Date | undefined> {
    const at = this.#next.get(entry.name);
    return at === undefined ? undefined : new Date(at);
  }

  async handOff(): Promise<boolean> {
    return false;
  }

  async handOffPost(): Promise<boolean> {
    return false;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    await Promise.allSettled([...this.#running]);
  }

  #arm(e: ClockEntry, due: number, startedAt: number, handler: TickHandler): void {
    if (this.#closed) return;
    this.#next.set(e.name, due);
    const wait = Math.min(MAX_WAIT_MS, Math.max(0, due - this.now()));
    const timer = setTimeout(() => {
      if (this.now() < due) return this.#arm(e, due, startedAt, handler);
      const run = handler(e.name, { scheduledAt: new Date(due), manual: false })
        .catch((err: unknown) => this.log.error({ err, schedule: e.name }, 'scheduled run failed'))
        .finally(() => {
          this.#running.delete(run);
          this.#arm(e, nextDue(e, Math.max(this.now(), due), startedAt), startedAt, handler);
        });
      this.#running.add(run);
    }, wait);
    // A timer alone must not keep a process alive (the console exits at end of input).
    timer.unref();
    this.#timers.set(e.name, timer);
  }
}
