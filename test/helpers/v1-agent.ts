import * as zmq from 'zeromq';
import { curveKeyPair } from './curve-keys.js';

export interface V1Agent {
  readonly endpoint: string;
  readonly serverKeys: { publicKey: string; secretKey: string };
  readonly clientKeys: { publicKey: string; secretKey: string };
  /** Every request frame received, parsed. */
  readonly received: Record<string, unknown>[];
  close(): void;
}

/**
 * An agent of the previous release (protocol 1), as it answers: `hello` without `capabilities`, and
 * `error unsupported` (v 1, with the request's id) to any frame whose `v` is not 1 — the behaviour of
 * src/protocol/framing.ts before version 2. `claimsCommands` makes it lie in its hello, for the
 * client's second line of defence.
 */
export async function startV1Agent(opts: { claimsCommands?: boolean } = {}): Promise<V1Agent> {
  const serverKeys = curveKeyPair();
  const clientKeys = curveKeyPair();
  const router = new zmq.Router({ curveServer: true, curvePublicKey: serverKeys.publicKey, curveSecretKey: serverKeys.secretKey, linger: 0 });
  await router.bind('tcp://127.0.0.1:*');
  const received: Record<string, unknown>[] = [];
  void (async () => {
    try {
      for await (const [peer, frame] of router) {
        const req = JSON.parse(frame!.toString('utf8')) as { id?: string; op: string; v?: unknown };
        received.push(req);
        let answer: unknown;
        if (req.v !== 1) answer = { v: 1, op: 'error', ...(req.id ? { id: req.id } : {}), code: 'unsupported', message: 'protocol version 1 only' };
        else if (req.op === 'hello') answer = { v: 1, op: 'reply', id: req.id, data: { agent: 'old', v: 1, heartbeatMs: 200, drives: 0, ...(opts.claimsCommands ? { capabilities: ['commands'] } : {}) } };
        else answer = { v: 1, op: 'heartbeat' };
        await router.send([peer!, JSON.stringify(answer)]);
      }
    } catch {
      // closed
    }
  })();
  return { endpoint: router.lastEndpoint!, serverKeys, clientKeys, received, close: () => router.close() };
}
