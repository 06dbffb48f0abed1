import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A readiness check: resolves to an error message when not ready. */
export type ReadyCheck = () => Promise<string | undefined>;

/**
 * The bot's one HTTP server. Platform adapters mount their endpoints (`/slack/events`,
 * `/discord/interactions`); `/healthz` says the process is up, `/readyz` runs the readiness checks.
 */
export class HttpServer {
  readonly #routes = new Map<string, RouteHandler>();
  readonly #checks = new Map<string, ReadyCheck>();
  readonly #server: Server;

  constructor(private readonly log: Logger) {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.route('GET', '/healthz', (_req, res) => text(res, 200, 'ok\n'));
    this.route('GET', '/readyz', (_req, res) => this.#ready(res));
  }

  route(method: string, path: string, handler: RouteHandler): void {
    const key = `${method} ${path}`;
    if (this.#routes.has(key)) throw new Error(`route already mounted: ${key}`);
    this.#routes.set(key, handler);
  }

  readyCheck(name: string, check: ReadyCheck): void {
    this.#checks.set(name, check);
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => resolve());
    });
    return (this.#server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeIdleConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const handler = this.#routes.get(`${req.method ?? 'GET'} ${path}`);
    if (!handler) {
      const known = [...this.#routes.keys()].some((k) => k.endsWith(` ${path}`));
      return text(res, known ? 405 : 404, known ? 'method not allowed\n' : 'not found\n');
    }
    try {
      await handler(req, res);
    } catch (err) {
      this.log.error({ err, path }, 'http handler failed');
      if (!res.headersSent) text(res, 500, 'internal error\n');
      else res.end();
    }
  }

  async #ready(res: ServerResponse): Promise<void> {
    const failures: string[] = [];
    for (const [name, check] of this.#checks) {
      const problem = await check().catch((e: unknown) => (e as Error).message);
      if (problem) failures.push(`${name}: ${problem}`);
    }
    text(res, failures.length ? 503 : 200, failures.length ? `${failures.join('\n')}\n` : 'ready\n');
  }
}

export function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(body);
}
