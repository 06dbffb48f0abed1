import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { ThreadRelay } from './entry.js';
import { MemoryRelay } from './memory-relay.js';
import { RedisRelay } from './redis-relay.js';

/** With `redis`, threads are relayed between processes; without it everything runs here (the demo). */
export function buildRelay(config: Config, log: Logger): ThreadRelay {
  const origin = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  if (!config.redis) return new MemoryRelay(origin);
  return new RedisRelay({ ...config.redis, origin, log: log.child({ service: 'relay' }) });
}
