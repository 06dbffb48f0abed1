import * as zmq from 'zeromq';

export interface RawDealer {
  readonly socket: zmq.Dealer;
  /** Every frame received, parsed when it is JSON (heartbeats included), in order. */
  readonly received: unknown[];
  send(frame: string | Buffer): Promise<void>;
  /** Resolves with the first received message (from index `from`) that `match` accepts. */
  next(match: (m: Record<string, unknown>) => boolean, from?: number, ms?: number): Promise<Record<string, unknown>>;
  close(): void;
}

/** A bare CURVE DEALER that sends any bytes to an agent: the protocol client minus its manners. */
export function rawDealer(endpoint: string, serverKey: string, keys: { publicKey: string; secretKey: string }): RawDealer {
  const socket = new zmq.Dealer({ curveServerKey: serverKey, curvePublicKey: keys.publicKey, curveSecretKey: keys.secretKey, linger: 0, reconnectInterval: 50 });
  socket.connect(endpoint);
  const received: unknown[] = [];
  const waiters = new Set<() => void>();
  void (async () => {
    try {
      for await (const [frame] of socket) {
        let m: unknown;
        try {
          m = JSON.parse(frame?.toString('utf8') ?? '');
        } catch {
          m = { unparsable: frame?.toString('hex') };
        }
        received.push(m);
        for (const w of [...waiters]) w();
      }
    } catch {
      // closed
    }
  })();
  return {
    socket,
    received,
    send: (frame) => socket.send(frame),
    next(match, from = 0, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = received.slice(from).find((m) => m !== null && typeof m === 'object' && match(m as Record<string, unknown>));
          if (!hit) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(hit as Record<string, unknown>);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching message within ${ms} ms; last: ${JSON.stringify(received.slice(-3))}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    close: () => socket.close(),
  };
}
