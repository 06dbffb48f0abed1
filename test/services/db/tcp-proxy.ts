import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A local TCP proxy in front of MySQL that a test can cut: `close()` refuses new connections and
 * resets open ones (server down), `blackhole()` accepts but never forwards (network partition),
 * `open()` restores normal service on the same port.
 */
export class TcpProxy {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  #mode: 'forward' | 'blackhole' | 'drop-answers' = 'forward';
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async open(): Promise<number> {
    this.#mode = 'forward';
    if (this.#server) return this.port;
    const server = createServer((client) => this.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    if (addr && typeof addr === 'object') this.port = addr.port;
    this.#server = server;
    return this.port;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Keeps accepting, forwards nothing: open connections and new ones hang. */
  blackhole(): void {
    this.#mode = 'blackhole';
    for (const s of this.#sockets) s.pause();
  }

  /**
   * Forwards requests but throws the server's answers away: statements run, their callers never
   * hear (lost replies). open() forwards answers again; a connection whose greeting was lost stays mute.
   */
  dropAnswers(): void {
    this.#mode = 'drop-answers';
  }

  #accept(client: Socket): void {
    this.#sockets.add(client);
    client.on('close', () => this.#sockets.delete(client));
    client.on('error', () => client.destroy());
    if (this.#mode === 'blackhole') {
      client.pause();
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    this.#sockets.add(upstream);
    upstream.on('close', () => {
      this.#sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (this.#mode === 'forward') client.write(chunk);
    });
  }
}
