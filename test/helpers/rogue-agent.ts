import * as zmq from 'zeromq';
import { curveKeyPair } from './curve-keys.js';

export interface RogueAgent {
  readonly endpoint: string;
  readonly serverKeys: { publicKey: string; secretKey: string };
  readonly clientKeys: { publicKey: string; secretKey: string };
  /** Frames sent to the client before each answer; replace between requests. */
  garbage: () => (string | Buffer)[];
  close(): void;
}

/**
 * An agent that speaks just enough of the protocol (heartbeat, hello) to be "up", and sends the
 * client whatever `garbage()` returns before every answer: the bot's side of docs/agent.md's
 * "a frame that does not fit is logged and dropped", tested from outside.
 */
export async function startRogueAgent(): Promise<RogueAgent> {
  const serverKeys = curveKeyPair();
  const clientKeys = curveKeyPair();
  const router = new zmq.Router({ curveServer: true, curvePublicKey: serverKeys.publicKey, curveSecretKey: serverKeys.secretKey, linger: 0 });
  await router.bind('tcp://127.0.0.1:*');
  const rogue: RogueAgent = {
    endpoint: router.lastEndpoint!,
    serverKeys,
    clientKeys,
    garbage: () => [],
    close: () => router.close(),
  };
  void (async () => {
    try {
      for await (const [peer, frame] of router) {
        const req = JSON.parse(frame!.toString('utf8')) as { id: string; op: string };
        for (const g of rogue.garbage()) await router.send([peer!, g]);
        const answer = req.op === 'hello' ? { v: 1, op: 'reply', id: req.id, data: { agent: 'rogue', v: 1, heartbeatMs: 200, drives: 0 } } : { v: 1, op: 'heartbeat' };
        await router.send([peer!, JSON.stringify(answer)]);
      }
    } catch {
      // closed
    }
  })();
  return rogue;
}
