import type { AdapterFactory } from '../types.js';
import { RedisSeenKeys, RecentKeys } from '../../services/seen-keys.js';
import { SlackAdapter } from './adapter.js';

/** The Slack adapter when `slack` is configured; its transport lets workers reopen Slack threads. */
export const slackAdapterFactory: AdapterFactory = ({ app, http, log }) => {
  const config = app.config.slack;
  if (!config) return undefined;
  const commandNames = app.registry.all().map((c) => c.name);
  const slackLog = log.child({ adapter: 'slack' });
  // With Redis, a retry that reaches another replica is recognised too.
  const seen = app.config.redis ? new RedisSeenKeys(app.config.redis, app.config.redis.prefix, new RecentKeys(), slackLog) : undefined;
  const adapter = new SlackAdapter({ config, http, log: slackLog, commandNames, declared: app.config.commands ?? [], seen, budget: app.budget });
  app.transports.add(adapter.transport);
  return adapter;
};
