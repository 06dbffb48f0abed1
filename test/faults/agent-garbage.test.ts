import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ZmqDeviceClient } from '../../src/services/devices/client.js';
import { startRogueAgent, type RogueAgent } from '../helpers/rogue-agent.js';

let rogue: RogueAgent;
let client: ZmqDeviceClient;

beforeAll(async () => {
  rogue = await startRogueAgent();
});
// A client per case, so one frame that breaks the connection does not fail the cases after it.
beforeEach(() => {
  client = new ZmqDeviceClient(
    [{ name: 'rogue', endpoint: rogue.endpoint, serverKey: rogue.serverKeys.publicKey, heartbeatMs: 200, requestTimeoutMs: 5_000 }],
    { public: rogue.clientKeys.publicKey, secret: rogue.clientKeys.secretKey },
    pino({ level: 'silent' }),
  );
});
afterEach(() => client.close());
afterAll(() => rogue?.close());

/** One of each kind of frame an agent must never send (docs/agent.md: logged and dropped, never fatal). */
const GARBAGE: [string, string | Buffer][] = [
  ['JSON null', 'null'],
  ['a number', '42'],
  ['an array', '[1,2]'],
  ['not JSON', 'hello there'],
  ['binary', Buffer.from([0xff, 0xfe, 0x00, 0x81])],
  ['an empty frame', ''],
  ['another protocol version', '{"v":2,"op":"reply","id":"x","data":{}}'],
  ['an unknown op', '{"v":1,"op":"explode"}'],
  ['progress with wrong types', '{"v":1,"op":"progress","jobId":{},"bytes":"many"}'],
  ['done without a result', '{"v":1,"op":"done","jobId":"b1"}'],
  ['an error with an object code', '{"v":1,"op":"error","code":{},"message":[]}'],
  ['prototype-named keys', '{"__proto__":{"op":"reply"},"constructor":1,"v":1,"op":"heartbeat"}'],
  ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`],
];

describe('fault: an agent that sends garbage frames', () => {
  it.each(GARBAGE)('drops %s and keeps the connection: the next request is answered and the agent stays up', async (_name, frame) => {
    rogue.garbage = () => [];
    expect((await client.hello('rogue')).agent).toBe('rogue');
    rogue.garbage = () => [frame, frame];
    expect((await client.hello('rogue')).agent).toBe('rogue');
    expect(client.state('rogue')).toBe('up');
  });

  it('survives 200 requests each preceded by all of them at once', async () => {
    rogue.garbage = () => GARBAGE.map(([, f]) => f);
    for (let i = 0; i < 200; i++) expect((await client.hello('rogue')).agent).toBe('rogue');
    expect(client.state('rogue')).toBe('up');
  }, 60_000);
});
