import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a server that a fault test can break in two ways: `cut()` resets every
 * open connection (the server restarted, a NAT dropped the flows) while new ones still get through,
 * and `hold(ms)` keeps every connection open but delivers no answer for `ms`, then delivers them all
 * (MySQL's answers lost for a while, as issue 13 measured them).
 */
export class FaultProxy {
  readonly #server: Server;
  readonly #pairs = new Set<{ client: Socket; upstream: Socket }>();
  #holding = false;
  port = 0;

  private constructor(host: string, targetPort: number) {
    this.#server = createServer((client) => {
      const upstream = connect(targetPort, host);
      const pair = { client, upstream };
      this.#pairs.add(pair);
      const end = () => {
        this.#pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      for (const s of [client, upstream]) s.on('error', end).on('close', end);
      client.pipe(upstream);
      upstream.pipe(client);
      if (this.#holding) upstream.pause();
    });
  }

  static async start(host: string, port: number): Promise<FaultProxy> {
    const p = new FaultProxy(host, port);
    await new Promise<void>((resolve) => p.#server.listen(0, '127.0.0.1', resolve));
    p.port = (p.#server.address() as { port: number }).port;
    return p;
  }

  /** Resets every open connection now. */
  cut(): number {
    const n = this.#pairs.size;
    for (const { client, upstream } of [...this.#pairs]) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    return n;
  }

  /** Answers stop for `ms` (requests still reach the server), then arrive all at once. */
  async hold(ms: number): Promise<void> {
    this.#holding = true;
    for (const { upstream } of this.#pairs) upstream.pause();
    await new Promise((r) => setTimeout(r, ms));
    this.#holding = false;
    for (const { upstream } of this.#pairs) upstream.resume();
  }

  /** Answers stop (requests still reach the server) until the returned function is called; then they arrive all at once. */
  stall(): () => void {
    this.#holding = true;
    for (const { upstream } of this.#pairs) upstream.pause();
    return () => {
      this.#holding = false;
      for (const { upstream } of this.#pairs) upstream.resume();
    };
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
