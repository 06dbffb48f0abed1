import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HookRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/**
 * A local CI stand-in on port 0: records every request and answers by path (`/ok`, `/fail` → 500,
 * `/hang` never answers, `/status` → the body set by the test).
 */
export class HookServer {
  readonly requests: HookRequest[] = [];
  statusBody = '{"status":"running"}';
  readonly #server: Server = createServer((req, res) => void this.#handle(req, res));
  #port = 0;

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.#port}${path}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const path = req.url ?? '/';
    this.requests.push({ method: req.method ?? '', path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    if (path.startsWith('/hang')) return;
    if (path.startsWith('/fail')) return void res.writeHead(500, { 'content-type': 'text/plain' }).end('build exploded\n');
    if (path.startsWith('/status')) return void res.writeHead(200, { 'content-type': 'application/json' }).end(this.statusBody);
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"queued":true}\n');
  }
}
