import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZmqDeviceClient } from '../../src/services/devices/client.js';
import { hostileJson, hostileString, nestedJson, runs } from '../helpers/fuzz-inputs.js';
import { startRogueAgent, type RogueAgent } from '../helpers/rogue-agent.js';

let rogue: RogueAgent;
let client: ZmqDeviceClient;

beforeAll(async () => {
  rogue = await startRogueAgent();
  client = new ZmqDeviceClient(
    [{ name: 'rogue', endpoint: rogue.endpoint, serverKey: rogue.serverKeys.publicKey, heartbeatMs: 200, requestTimeoutMs: 5_000 }],
    { public: rogue.clientKeys.publicKey, secret: rogue.clientKeys.secretKey },
    pino({ level: 'silent' }),
  );
});
afterAll(async () => {
  await client?.close();
  rogue?.close();
});

/** Messages an agent could send that do not fit the protocol: each must be dropped, never fatal. */
const garbage = fc.oneof(
  hostileJson.map((v) => JSON.stringify(v) ?? 'null'),
  hostileString,
  fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b)),
  fc.constantFrom('null', '[]', '1', '"x"', '{}', '{"v":2,"op":"reply","id":"1"}', '{"v":1,"op":"done"}', '{"v":1,"op":"progress","jobId":{}}', '{"v":1,"op":"error","id":null,"code":{}}', '{"__proto__":{"op":"reply"}}'),
  fc.integer({ min: 100, max: 3000 }).map((d) => nestedJson(d, 'null', 'op')),
);

describe('fuzz: frames from an agent into the bot\'s device client', () => {
  it('drops what does not fit and keeps the connection: every hello after garbage is answered', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(garbage, { minLength: 1, maxLength: 3 }), async (frames) => {
        rogue.garbage = () => frames;
        expect((await client.hello('rogue')).agent).toBe('rogue');
        expect(client.state('rogue')).toBe('up');
      }),
      { numRuns: runs(1_000) },
    );
  }, 300_000);
});
