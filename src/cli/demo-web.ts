import { createServer } from 'node:net';
import type { Logger } from 'pino';
import type { Adapter } from '../adapters/types.js';
import { webAdapterFactory } from '../adapters/web/factory.js';
import type { App } from '../app/main.js';
import type { Principal } from '../core/principal.js';
import { HttpServer } from '../http/server.js';

/**
 * The demo's web port: `OPSLINE_DEMO_WEB_PORT`, else one the system has free now (docs/web.md,
 * "In the demo"). Only 127.0.0.1 listens: the demo signs its user in as admin.
 */
export async function demoWebPort(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const asked = Number(env.OPSLINE_DEMO_WEB_PORT);
  if (Number.isInteger(asked) && asked > 0 && asked < 65536) return asked;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Starts the demo's web view (its `web` section names its own port) and returns a sign-in link for
 * `who`, or says why there is none; `stop` ends it. Nothing stops the console if the port is taken.
 */
export async function startDemoWeb(app: App, log: Logger, who: Principal): Promise<{ line: string; stop: () => Promise<void> }> {
  let adapter: Adapter | undefined;
  try {
    adapter = await webAdapterFactory({ app, http: new HttpServer(log), log });
    const web = app.services.web;
    if (!adapter || !web) return { line: 'web view: off in this demo', stop: async () => {} };
    await adapter.start(app.dispatcher.dispatch.bind(app.dispatcher));
    const token = await web.links.issue(who);
    const port = app.config.web?.port;
    const running = adapter;
    return {
      line: `web view: http://127.0.0.1:${port}/web/signin?t=${token} signs you in (once, within 5 minutes; /web gives a new link)`,
      stop: () => running.stop(),
    };
  } catch (err) {
    await adapter?.stop().catch(() => undefined);
    return { line: `web view: off (${err instanceof Error ? err.message : String(err)}); set OPSLINE_DEMO_WEB_PORT to a free port`, stop: async () => {} };
  }
}
