import type { Logger } from 'pino';
import type { HttpServer } from '../http/server.js';
import type { Metrics } from '../metrics/metrics.js';
import type { App } from '../main.js';
import { discordAdapterFactory } from './discord/factory.js';
import { slackAdapterFactory } from './slack/index.js';
import { webAdapterFactory } from './web/factory.js';
import type { Adapter } from './types.js';

export interface AdapterEnv {
  readonly app: App;
  readonly http: HttpServer;
  readonly log: Logger;
  /** `/metrics` of `opsline start`, for adapters that count what the audit trail does not (web page views). */
  readonly metrics?: Metrics;
}

/** Builds one platform's adapter, or returns undefined when its config section is absent. */
export type AdapterFactory = (env: AdapterEnv) => Adapter | undefined | Promise<Adapter | undefined>;

/** Every platform adapter `opsline start` may run; each looks at its own config section. */
export const adapterFactories: readonly AdapterFactory[] = [slackAdapterFactory, discordAdapterFactory, webAdapterFactory];
