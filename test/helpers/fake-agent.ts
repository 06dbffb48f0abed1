import * as zmq from 'zeromq';

type Json = Record<string, unknown>;

export interface FakeAgent {
  readonly endpoint: string;
  /** While false it neither heartbeats nor answers: a hung agent. */
  alive: boolean;
  /** The answer to a request (a message object), or undefined for none; replaces the default answers. */
  answer: (req: Json) => Json | undefined;
  /** Sends raw bytes, as one frame, to the client heard from last. */
  inject(frame: string | Buffer): Promise<void>;
  close(): void;
}

/**
 * An agent-like CURVE ROUTER that speaks just enough of docs/agent.md (heartbeats, hello, images)
 * for a real device client to talk to it, and sends whatever bytes a test injects.
 */
export async function fakeAgent(keys: { publicKey: string; secretKey: string }): Promise<FakeAgent> {
  const router = new zmq.Router({ curveServer: true, curveSecretKey: keys.secretKey, linger: 0 });
  await router.bind('tcp://127.0.0.1:*');
  let peer: Buffer | undefined;
  // One send at a time per zeromq.js socket: answers and injected frames queue here.
  let outbox = Promise.resolve();
  const send = (frame: string | Buffer): Promise<void> => {
    const to = peer;
    outbox = outbox.then(() => (to && !router.closed ? router.send([to, frame]) : undefined)).catch(() => undefined);
    return outbox;
  };
  const fake: FakeAgent = {
    endpoint: router.lastEndpoint!,
    alive: true,
    answer: defaultAnswer,
    inject: send,
    close: () => router.close(),
  };
  void (async () => {
    try {
      for await (const [from, frame] of router) {
        if (!from || !frame || !fake.alive) continue;
        peer = from;
        const req = JSON.parse(frame.toString()) as Json;
        const out = req.op === 'heartbeat' ? { v: 1, op: 'heartbeat' } : fake.answer(req);
        if (out) await send(JSON.stringify(out));
      }
    } catch {
      // closed
    }
  })();
  return fake;
}

function defaultAnswer(req: Json): Json | undefined {
  const reply = (data: unknown): Json => ({ v: 1, op: 'reply', id: req.id, data });
  if (req.op === 'hello') return reply({ agent: 'fake', v: 1, heartbeatMs: 200, drives: 1 });
  if (req.op === 'images') return reply([{ name: 'a.iso', size: 2048, volumeId: 'A' }]);
  return { v: 1, op: 'error', id: req.id, code: 'bad_request', message: `the fake agent does not do ${String(req.op)}` };
}
