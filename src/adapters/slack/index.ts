import type { AdapterFactory } from '../index.js';
import { SlackAdapter } from './adapter.js';

/** The Slack adapter when `slack` is configured; its transport lets workers reopen Slack threads. */
export const slackAdapterFactory: AdapterFactory = ({ app, http, log }) => {
  const config = app.config.slack;
  if (!config) return undefined;
  const commandNames = app.registry.all().map((c) => c.name);
  const adapter = new SlackAdapter({ config, http, log: log.child({ adapter: 'slack' }), commandNames });
  app.transports.add(adapter.transport);
  return adapter;
};
