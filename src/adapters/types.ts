import type { Logger } from 'pino';
import type { App } from '../app/main.js';
import type { HttpServer } from '../http/server.js';
import type { Invocation } from '../core/define-command.js';
import type { Reply } from '../core/reply.js';
import type { ThreadStarter } from '../core/thread.js';

/** What an adapter hands each verified platform event to. */
export type DispatchFn = (inv: Invocation, threads: ThreadStarter) => Promise<Reply>;

/** Adapters translate, nothing more: platform event → Invocation, Reply → platform message. */
export interface Adapter {
  readonly name: string;
  start(dispatch: DispatchFn): Promise<void>;
  stop(): Promise<void>;
}

export interface AdapterEnv {
  readonly app: App;
  readonly http: HttpServer;
  readonly log: Logger;
}

/** Builds one platform's adapter, or returns undefined when its config section is absent. */
export type AdapterFactory = (env: AdapterEnv) => Adapter | undefined | Promise<Adapter | undefined>;
