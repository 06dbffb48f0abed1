import { HttpServer } from '../../http/server.js';
import type { Adapter, AdapterEnv, DispatchFn } from '../types.js';
import { Gate } from './gate.js';
import { OidcSignIn } from './oidc.js';
import { WebRoutes } from './routes.js';

/**
 * The web adapter (docs/web.md): pages under /web on the main HTTP server, or on its own port with
 * `web.port`. Undefined without an enabled `web` section.
 */
export async function webAdapterFactory(env: AdapterEnv): Promise<Adapter | undefined> {
  const { app, log } = env;
  const web = app.config.web;
  const auth = app.services.web;
  if (!web?.enabled || !auth) return undefined;
  const wlog = log.child({ adapter: 'web' });
  const gate = new Gate({ auth, access: app.access, audit: app.services.audit, publicUrl: web.publicUrl, trustProxy: web.trustProxy, now: () => app.services.now().getTime(), ...(web.oidc ? { oidcName: web.oidc.name } : {}), log: wlog });
  const oidc = web.oidc ? new OidcSignIn(web.oidc, gate, app.secrets, wlog) : undefined;
  const routes = new WebRoutes(app, gate, wlog, env.metrics, oidc);
  const own = web.port !== undefined ? new HttpServer(wlog) : undefined;
  (own ?? env.http).mount('/web', (req, res) => routes.handle(req, res));
  let port: number | undefined;
  return {
    name: 'web',
    async start(dispatch: DispatchFn) {
      routes.start(dispatch);
      if (own && web.port !== undefined) {
        port = await own.listen(web.port, web.host ?? app.config.http.host);
        wlog.info({ port }, 'web view listening on its own port');
      }
    },
    async stop() {
      // Live pages hold their connections open: end them, or the server would wait for them.
      for (const r of routes.streams.keys()) r.end();
      await own?.close();
    },
  };
}
