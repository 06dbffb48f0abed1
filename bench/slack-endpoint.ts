import { once } from 'node:events';
import { parentPort } from 'node:worker_threads';
import { pino } from 'pino';
import { SlackAdapter } from '../src/adapters/slack/adapter.js';
import type { Config } from '../src/config/schema.js';
import { HttpServer } from '../src/http/server.js';
import { buildApp, type BuildOptions } from '../src/app/main.js';
import { bareRoute } from './http-load.js';

/**
 * In a bench worker thread: opsline's Slack endpoint as `opsline start` mounts it (the app, the HTTP
 * server, the Slack adapter), on port 0, beside the benches' bare POST handler. Posts the port to the
 * parent and serves until it answers.
 */
export async function serveSlackEndpoint(config: Config, opts: Omit<BuildOptions, 'log'> = {}): Promise<void> {
  const log = pino({ level: 'silent' });
  const app = await buildApp(config, { log, ...opts });
  const http = new HttpServer(log);
  bareRoute(http);
  const adapter = new SlackAdapter({ config: config.slack!, http, log, commandNames: app.registry.targets().map((t) => t.path), budget: app.budget });
  await adapter.start(app.dispatcher.dispatch.bind(app.dispatcher));
  parentPort!.postMessage(await http.listen(0, '127.0.0.1'));
  await once(parentPort!, 'message');
  await adapter.stop();
  await http.close();
  await app.stop();
  parentPort!.close();
}
