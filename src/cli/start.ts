import { requireConfigFile } from '../config/load.js';
import { adapterFactories } from '../adapters/index.js';
import { chatPosters } from '../adapters/posters.js';
import type { Adapter } from '../adapters/types.js';
import { HttpServer } from '../http/server.js';
import { createLogger } from '../log.js';
import { buildApp } from '../main.js';
import { untilSignal } from './signals.js';

/**
 * `opsline start`: the configured adapters, the one HTTP server and (unless `workers` is false) the
 * job workers, until SIGINT or SIGTERM.
 */
export async function runStart(configFlag: string | undefined, opts: { workers?: boolean } = {}): Promise<number> {
  const loaded = requireConfigFile(configFlag);
  const { config } = loaded;
  const log = createLogger({ level: config.log.level, secrets: loaded.secrets });
  const app = await buildApp(config, { log, secretValues: loaded.secrets });
  const http = new HttpServer(log);
  const adapters: Adapter[] = [];
  for (const factory of adapterFactories) {
    const adapter = await factory({ app, http, log });
    if (adapter) adapters.push(adapter);
  }
  const dispatch = app.dispatcher.dispatch.bind(app.dispatcher);
  for (const a of adapters) await a.start(dispatch);
  // After the adapters: their transports must be registered before a worker reopens a thread.
  if (opts.workers !== false) await app.startWorkers();
  // Schedules run with or without job workers: each tick runs once across every process (docs/schedules.md).
  await app.startSchedules(chatPosters(app, log));
  const port = await http.listen(config.http.port, config.http.host);
  log.info({ port, adapters: adapters.map((a) => a.name) }, 'opsline started');
  if (adapters.length === 0) log.warn('no chat adapter is configured (add a slack or discord section)');
  await untilSignal();
  log.info('stopping');
  for (const a of adapters.reverse()) await a.stop().catch((err: unknown) => log.error({ err, adapter: a.name }, 'adapter stop failed'));
  await http.close();
  await app.stop();
  return 0;
}
