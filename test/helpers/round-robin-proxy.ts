import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTP load balancer on port 0, as a team puts in front of bot replicas: each request goes to
 * the next backend in turn. Like nginx's `proxy_next_upstream error`, a backend that refuses the
 * connection (nothing was sent to it) is marked down and the request goes to the next one; a backend
 * that drops a request it had already taken answers 502 (a platform does not redeliver it).
 * Every answer carries `x-backend`: the index of the backend that gave it.
 */
export class RoundRobinProxy {
  readonly down = new Set<number>();
  readonly #server: Server = createServer((req, res) => void this.#handle(req, res));
  #next = 0;
  #port = 0;

  constructor(private readonly backends: readonly string[]) {}

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  get base(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const body = Buffer.concat(chunks);
    for (let tries = 0; tries < this.backends.length; tries++) {
      const i = this.#pick();
      if (i === undefined) break;
      const sent = await this.#forward(i, req, body, res);
      if (sent !== 'refused') return;
      this.down.add(i);
    }
    res.writeHead(502, { 'content-type': 'text/plain' }).end('no backend\n');
  }

  #pick(): number | undefined {
    for (let k = 0; k < this.backends.length; k++) {
      const i = this.#next++ % this.backends.length;
      if (!this.down.has(i)) return i;
    }
    return undefined;
  }

  /** 'refused' when the backend would not connect (the request may go elsewhere); otherwise the client has its answer. */
  #forward(i: number, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<'answered' | 'refused'> {
    const target = new URL(req.url ?? '/', this.backends[i]);
    return new Promise((resolve) => {
      const out = request(target, { method: req.method, headers: { ...req.headers, host: target.host }, agent: false }, (up) => {
        res.writeHead(up.statusCode ?? 502, { ...up.headers, 'x-backend': String(i) });
        up.pipe(res);
        up.on('end', () => resolve('answered'));
        up.on('error', () => (res.destroy(), resolve('answered')));
      });
      out.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED') return resolve('refused');
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain', 'x-backend': String(i) }).end(`backend ${i}: ${err.code ?? err.message}\n`);
        else res.destroy();
        resolve('answered');
      });
      out.end(body);
    });
  }
}
