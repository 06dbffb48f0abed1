import type { Logger } from 'pino';
import type { App } from '../app/main.js';
import { createDiscordTransport } from './discord/factory.js';
import { createSlackTransport } from './slack/client.js';

/** Thread transports for every configured platform, without running its adapter (`opsline worker`). */
export function addWorkerTransports(app: App, log: Logger): void {
  const { slack, discord } = app.config;
  if (slack) app.transports.add(createSlackTransport(slack, log.child({ adapter: 'slack' }), app.registry.all().map((c) => c.name), app.budget));
  if (discord) app.transports.add(createDiscordTransport(discord, app.budget));
}
