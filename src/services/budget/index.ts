import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { RateBudget } from './budget.js';
import { RedisReservations } from './redis-store.js';

export { RateBudget } from './budget.js';

/** With `redis`, one budget per workspace shared by every process (bot, workers); otherwise this process's own. */
export function buildBudget(config: Config, log: Logger): RateBudget {
  const blog = log.child({ service: 'rate-budget' });
  if (!config.redis) return new RateBudget(undefined, blog);
  let warned = false;
  const store = new RedisReservations(config.redis, config.redis.prefix, (err) => {
    if (warned) return;
    warned = true;
    blog.warn({ err }, 'redis error (rate budget)');
  });
  return new RateBudget(store, blog);
}
