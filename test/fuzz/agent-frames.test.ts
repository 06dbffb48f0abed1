import { readdir } from 'node:fs/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentFixture, type AgentFixture } from '../helpers/agent-fixture.js';
import { hostileJson, hostileString, nestedJson, PROTO_NAMES, runs, withField } from '../helpers/fuzz-inputs.js';
import { rawDealer, type RawDealer } from '../helpers/raw-dealer.js';

let f: AgentFixture;
let dealer: RawDealer;
let seq = 0;

beforeAll(async () => {
  f = await agentFixture(['d1']);
  await f.start();
  dealer = rawDealer(f.agent!.endpoint, f.serverKeys.publicKey, f.clientKeys);
});
afterAll(async () => {
  dealer?.close();
  await f?.cleanup();
});

const VALID = [
  { v: 1, id: 'x', op: 'hello' },
  { v: 1, id: 'x', op: 'burn', jobId: 'bfuzz01', image: 'none.iso', drive: 'd1', verify: true },
  { v: 1, id: 'x', op: 'status', jobId: 'bfuzz01' },
  { v: 1, id: 'x', op: 'cancel', jobId: 'bfuzz01' },
  { v: 1, id: 'x', op: 'eject', drive: 'd1' },
  { v: 1, id: 'x', op: 'run', jobId: 'dfuzz01', command: 'deploy', ref: 'main' },
];
const FIELDS = ['v', 'id', 'op', 'jobId', 'image', 'drive', 'verify', 'watch', 'command', 'ref', 'speed', ...PROTO_NAMES];

/** A request with one field replaced by a wrong type, a hostile string or a prototype-named key. */
const mutated = fc.tuple(fc.constantFrom(...VALID), fc.constantFrom(...FIELDS), fc.oneof(hostileJson, hostileString)).map(([base, field, value]) => JSON.stringify(withField(base, [field], value)));

const frame = fc
  .oneof(
    { weight: 4, arbitrary: mutated },
    { weight: 2, arbitrary: hostileJson.map((v) => JSON.stringify(v) ?? 'undefined') },
    { weight: 1, arbitrary: hostileString },
    // Wrong encodings: arbitrary bytes, UTF-16, a BOM before valid JSON.
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: fc.constantFrom(...VALID).map((v) => Buffer.from(JSON.stringify(v), 'utf16le')) },
    { weight: 1, arbitrary: fc.constantFrom(...VALID).map((v) => `\uFEFF${JSON.stringify(v)}`) },
    // Deep nesting, under the agent's 64 KiB frame limit.
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 100, max: 5000 }), fc.constantFrom(undefined, 'op', '__proto__')).map(([d, k]) => `{"v":1,"id":"x","op":"hello","extra":${nestedJson(d, '1', k)}}`) },
  )
  // Under the agent's 64 KiB limit: a frame over it makes libzmq drop the peer, which the next test covers.
  .filter((b) => Buffer.byteLength(b) < 60_000);

/**
 * Sends one frame, then a `hello` with a fresh id; every message that arrives in between must be a
 * heartbeat, a reply, or an error with a specific code. The agent must still answer the hello.
 */
async function probe(bytes: string | Buffer): Promise<void> {
  const from = dealer.received.length;
  const id = `sentinel-${++seq}`;
  await dealer.send(bytes);
  await dealer.send(JSON.stringify({ v: 1, id, op: 'hello' }));
  await dealer.next((m) => m.id === id && m.op === 'reply', from);
  for (const m of dealer.received.slice(from) as Record<string, unknown>[]) {
    expect(['heartbeat', 'reply', 'error', 'accepted'], JSON.stringify(m)).toContain(m.op);
    if (m.op === 'error') expect(m.code, JSON.stringify(m)).not.toBe('internal');
  }
}

describe('fuzz: frames into a real agent over ZeroMQ (CURVE)', () => {
  it('answers every malformed, wrong-typed, mis-encoded or deeply nested frame and keeps serving', async () => {
    await fc.assert(fc.asyncProperty(frame, probe), { numRuns: runs(3_000) });
    // Nothing was started or recorded: no job in the ledger, nothing written to the drive.
    expect(f.agent!.drives()).toEqual([{ name: 'd1', kind: 'pseudo' }]);
    expect(await readdir(`${f.root}/drives`)).toEqual([]);
  }, 300_000);

  it('survives a frame over the 64 KiB limit (libzmq drops that peer) and serves the client when it reconnects', async () => {
    await dealer.send(JSON.stringify({ v: 1, id: 'huge', op: 'hello', pad: 'x'.repeat(70_000) }));
    // libzmq closes the connection; the DEALER reconnects by itself and a later hello is answered.
    for (let i = 0; ; i++) {
      const id = `after-huge-${i}`;
      const from = dealer.received.length;
      await dealer.send(JSON.stringify({ v: 1, id, op: 'hello' }));
      const got = await dealer.next((m) => m.id === id, from, 1_000).catch(() => undefined);
      if (got) break;
      if (i > 30) throw new Error('the agent never answered again');
    }
    expect(dealer.received.some((m) => (m as { id?: string }).id === 'huge')).toBe(false);
  }, 60_000);
});
