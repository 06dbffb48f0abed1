import type { App } from './main.js';
import type { CheckResult, HttpServer } from '../http/server.js';
import type { Metrics } from '../metrics/metrics.js';
import { addSources } from '../metrics/sources.js';

// The HTTP endpoints whose response is the platform's acknowledgement.
const ACK_PATHS = new Map([
  ['/slack/events', 'slack'],
  ['/discord/interactions', 'discord'],
]);

/**
 * `/metrics` on the bot's HTTP server, and the scrape-time sources: the app's queues, agents and
 * audit buffer; each adapter's connection from its readiness check (an adapter without one, HTTP
 * mode, is up while the server is). Keep `/metrics` private (docs/hosting.md).
 */
export function mountMetrics(http: HttpServer, app: App, metrics: Metrics, adapterNames: readonly string[]): void {
  const queues = new Map<string, { list(): Promise<readonly { state: 'queued' | 'running' | 'finished' | 'failed' }[]> }>();
  if (app.services.burns) queues.set('burn', app.services.burns.queue);
  if (app.services.deploys) queues.set('deploy', app.services.deploys.queue);
  const audit = app.services.audit as { pending?: number };
  // One run of the checks per scrape, shared by the gauges that read it (they are collected together).
  let running: Promise<Map<string, CheckResult>> | undefined;
  const checks = () => (running ??= http.readiness().finally(() => (running = undefined)));
  addSources(metrics, {
    queues,
    devices: app.services.burns?.devices,
    auditPending: () => audit.pending ?? 0,
    adapters: async () => {
      const names = new Set(http.checkNames());
      const results = adapterNames.some((a) => names.has(a)) ? await checks() : new Map<string, CheckResult>();
      return new Map(adapterNames.map((a) => [a, results.get(a)?.ok ?? !names.has(a)] as const));
    },
    dependencies: async () => new Map([...(await checks())].map(([name, r]) => [name, r.ok] as const)),
    ready: () => http.state === 'started',
  });
  http.observe((method, path, _status, seconds) => {
    const platform = method === 'POST' ? ACK_PATHS.get(path) : undefined;
    if (platform) metrics.ackSeconds.observe({ platform }, seconds);
  });
  http.route('GET', '/metrics', async (_req, res) => {
    const { contentType, body } = await metrics.text();
    res.writeHead(200, { 'content-type': contentType });
    res.end(body);
  });
}
