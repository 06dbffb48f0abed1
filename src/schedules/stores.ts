import type { Redis } from 'ioredis';
import { connectRedis, type RedisWhere } from '../redis/connect.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { LastRun, ScheduleStore } from './types.js';

const lastRunSchema = z.object({ at: z.string(), outcome: z.string(), late: z.boolean() });

/** One process's memory: the demo and a bot without Redis. */
export class MemoryScheduleStore implements ScheduleStore {
  readonly #runs = new Map<string, LastRun>();
  readonly #alerts = new Map<string, boolean>();

  async recordRun(name: string, run: LastRun): Promise<void> {
    this.#runs.set(name, run);
  }

  async lastRun(name: string): Promise<LastRun | undefined> {
    return this.#runs.get(name);
  }

  async swapAlert(name: string, firing: boolean): Promise<boolean | undefined> {
    const before = this.#alerts.get(name);
    this.#alerts.set(name, firing);
    return before;
  }

  async close(): Promise<void> {}
}

/**
 * Last runs in one hash (`<prefix>:schedules:last`) and each alert's state in its own key
 * (`<prefix>:alerts:state:<name>`), written with SET … GET so the old state comes back atomically:
 * of two checks racing (a tick and a `/schedule run`), only one sees the transition and posts it.
 */
export class RedisScheduleStore implements ScheduleStore {
  readonly #redis: Redis;

  constructor(
    where: RedisWhere,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    // `/schedule list` reads last runs on a command's path: the command profile bounds each call.
    this.#redis = connectRedis(where, { role: 'schedules', profile: 'command' });
    this.#redis.on('error', (err) => log.warn({ err }, 'redis error (schedules)'));
  }

  async recordRun(name: string, run: LastRun): Promise<void> {
    await this.#redis.hset(`${this.prefix}:schedules:last`, name, JSON.stringify(run));
  }

  async lastRun(name: string): Promise<LastRun | undefined> {
    const raw = await this.#redis.hget(`${this.prefix}:schedules:last`, name);
    if (raw === null) return undefined;
    const parsed = lastRunSchema.safeParse(safeJson(raw));
    if (!parsed.success) this.log.warn({ name }, 'ignoring an unreadable last-run record');
    return parsed.success ? parsed.data : undefined;
  }

  async swapAlert(name: string, firing: boolean): Promise<boolean | undefined> {
    const before = await this.#redis.set(`${this.prefix}:alerts:state:${name}`, firing ? 'firing' : 'clear', 'GET');
    return before === 'firing' ? true : before === 'clear' ? false : undefined;
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
