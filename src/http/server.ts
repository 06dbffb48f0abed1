import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A readiness check: resolves to an error message when not ready. */
export type ReadyCheck = () => Promise<string | undefined>;

/** One check's answer in `/readyz`. */
export interface CheckResult {
  readonly ok: boolean;
  readonly detail?: string;
}

/** Where this process is in its life: only `started` takes commands, so only it is ready. */
export type ProcessState = 'starting' | 'started' | 'stopping';

/** Told about every response when it is sent (the metrics' ack latency). */
export type ResponseObserver = (method: string, path: string, status: number, seconds: number) => void;

// A check that hangs (a dead MySQL host) must not hang a scrape: it counts as down after this long.
const CHECK_TIMEOUT_MS = 3000;
// /readyz answers within a load balancer's probe timeout (Kubernetes' default is 1 s) whatever the
// dependencies do: a probe that timed out would take the replica out after all.
const READYZ_CHECK_MS = 800;

/**
 * The bot's one HTTP server. Platform adapters mount their endpoints (`/slack/events`,
 * `/discord/interactions`); `/healthz` says the process is up, `/readyz` says whether it takes
 * commands and reports each dependency check, `/metrics` is mounted by src/metrics/ (docs/hosting.md
 * says which to expose).
 */
export class HttpServer {
  readonly #routes = new Map<string, RouteHandler>();
  readonly #checks = new Map<string, ReadyCheck>();
  /** Whole path trees (`/web`) whose handler does its own routing, for any method. */
  readonly #trees = new Map<string, RouteHandler>();
  readonly #server: Server;
  #observer: ResponseObserver | undefined;
  #state: ProcessState = 'starting';

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

  /** Hands every request under `prefix` (`/web`, `/web/...`) to `handler`, whatever its method. */
  mount(prefix: string, handler: RouteHandler): void {
    if (this.#trees.has(prefix)) throw new Error(`tree already mounted: ${prefix}`);
    this.#trees.set(prefix, handler);
  }

  readyCheck(name: string, check: ReadyCheck): void {
    this.#checks.set(name, check);
  }

  /** Names of the readiness checks mounted so far. */
  checkNames(): string[] {
    return [...this.#checks.keys()];
  }

  observe(observer: ResponseObserver): void {
    this.#observer = observer;
  }

  get state(): ProcessState {
    return this.#state;
  }

  /** From now on `/readyz` is 503: the process is draining and takes no new commands. */
  stopping(): void {
    this.#state = 'stopping';
  }

  /** Runs every dependency check at once, each bounded by `timeoutMs`. */
  async readiness(timeoutMs = CHECK_TIMEOUT_MS): Promise<Map<string, CheckResult>> {
    const entries = await Promise.all(
      [...this.#checks].map(async ([name, check]): Promise<[string, CheckResult]> => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs)));
        const problem = await Promise.race([check().catch((e: unknown) => (e as Error).message || String(e)), timeout]);
        clearTimeout(timer);
        return [name, problem ? { ok: false, detail: problem } : { ok: true }];
      }),
    );
    return new Map(entries);
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => resolve());
    });
    // The adapters started before the server listens (src/cli/start.ts): from here on it takes commands.
    if (this.#state === 'starting') this.#state = 'started';
    return (this.#server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.#state = 'stopping';
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeIdleConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    const exact = this.#routes.get(`${method} ${path}`);
    const tree = exact ? undefined : this.#tree(path);
    const handler = exact ?? tree?.handler;
    // A tree's pages are counted under its prefix: ids in paths would make a metric label per job.
    const label = tree ? tree.prefix : path;
    const observer = this.#observer;
    if (observer && handler) {
      const started = process.hrtime.bigint();
      res.once('finish', () => observer(method, label, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9));
    }
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

  #tree(path: string): { prefix: string; handler: RouteHandler } | undefined {
    for (const [prefix, handler] of this.#trees) if (path === prefix || path.startsWith(`${prefix}/`)) return { prefix, handler };
    return undefined;
  }

  /**
   * `{ ready, state, checks: { name: { ok, detail? } } }`: 503 only while this process cannot take
   * commands (starting or stopping). The checks are shared dependencies (Redis, MySQL, Vault, agents,
   * chat connections): they are reported, never flip readiness, or one outage would take every replica
   * out of the load balancer at once and nobody would answer (docs/hosting.md).
   */
  async #ready(res: ServerResponse): Promise<void> {
    const results = await this.readiness(READYZ_CHECK_MS);
    const ready = this.#state === 'started';
    res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`${JSON.stringify({ ready, state: this.#state, checks: Object.fromEntries(results) })}\n`);
  }
}

export function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(body);
}
