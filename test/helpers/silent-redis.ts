import { createServer, type Server, type Socket } from 'node:net';

export interface SilentRedis {
  readonly url: string;
  close(): Promise<void>;
}

/** A TCP server that takes connections and never answers: Redis hung, or a black hole on the path. */
export async function silentRedis(): Promise<SilentRedis> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.resume();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return {
    url: `redis://127.0.0.1:${addr.port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
