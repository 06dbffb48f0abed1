import { pino } from 'pino';
import { curveKeyPair } from '../../helpers/curve-keys.js';
import { afterEach, describe, expect, it } from 'vitest';
import { ZmqDeviceClient } from '../../../src/services/devices/client.js';
import { fakeAgent, type FakeAgent } from '../../helpers/fake-agent.js';

const serverKeys = curveKeyPair();
const clientKeys = curveKeyPair();
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A real device client (CURVE, DEALER) against a fake agent, with its warnings kept for inspection. */
async function connect(): Promise<{ fake: FakeAgent; client: ZmqDeviceClient; warnings: Record<string, unknown>[] }> {
  const fake = await fakeAgent(serverKeys);
  const warnings: Record<string, unknown>[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line) as Record<string, unknown>) });
  const client = new ZmqDeviceClient(
    [{ name: 'a1', endpoint: fake.endpoint, serverKey: serverKeys.publicKey, heartbeatMs: 200, requestTimeoutMs: 5_000 }],
    { public: clientKeys.publicKey, secret: clientKeys.secretKey },
    log,
  );
  cleanups.push(() => fake.close(), () => client.close());
  expect(await client.hello('a1')).toEqual({ agent: 'fake', v: 1, heartbeatMs: 200, drives: 1 });
  return { fake, client, warnings };
}

const burnResult = { outcome: 'ok', ok: true, message: 'ok', image: 'a.iso', drive: 'd1', verified: true, ejected: 'no-op', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:15.000Z' };
const runResult = { kind: 'run', outcome: 'ok', ok: true, message: 'ok', command: 'c', ref: 'main', exitCode: 0, signal: null, durationMs: 5, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:00.005Z' };

const bad: [string, string | Buffer][] = [
  ['null', 'null'],
  ['an array', '[]'],
  ['a string', '"x"'],
  ['not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x80, 0x7d])],
  ['not JSON', '{"v":1,'],
  ['a 2 MiB frame', JSON.stringify({ v: 1, op: 'log', jobId: 'j1', line: 'x'.repeat(2 * 1024 * 1024) })],
  ['another protocol version', JSON.stringify({ v: 3, op: 'heartbeat' })],
  ['no version', JSON.stringify({ op: 'heartbeat' })],
  ['an unknown op', JSON.stringify({ v: 1, op: 'explode' })],
  ['a done for a job nobody watches', JSON.stringify({ v: 1, op: 'done', jobId: 'nobody', result: burnResult })],
  ['a reply to no request', JSON.stringify({ v: 1, op: 'reply', id: '999', data: null })],
  ['prototype-named ids', JSON.stringify({ v: 1, op: 'reply', id: '__proto__', data: {} })],
  ['a __proto__ key', '{"__proto__":{"op":"heartbeat"},"v":1}'],
  ['constructor as op', JSON.stringify({ v: 1, op: 'constructor' })],
  ['an error with a prototype-named code', JSON.stringify({ v: 1, op: 'error', id: 'toString', code: 'constructor', message: 'x' })],
  ['a progress for constructor', JSON.stringify({ v: 1, op: 'progress', jobId: 'constructor', phase: 'writing', bytes: 1, total: 2, rate: 0 })],
];

describe('a device client fed malformed frames by its agent', () => {
  it.each(bad)('drops %s and stays connected: the next request succeeds', async (_what, frame) => {
    const { fake, client } = await connect();
    await fake.inject(frame);
    // Frames on one connection arrive in order: once this answer is in, the bad frame was handled.
    expect(await client.images('a1')).toEqual([{ name: 'a.iso', size: 2048, volumeId: 'A' }]);
    expect(client.state('a1')).toBe('up');
  });

  it('logs dropped frames at warn, once per reason, however many arrive', async () => {
    const { fake, client, warnings } = await connect();
    for (let i = 0; i < 5; i++) await fake.inject('null');
    await fake.inject(JSON.stringify({ v: 3, op: 'heartbeat' }));
    await client.images('a1');
    const drops = warnings.filter((w) => w.msg === 'dropped a message from the agent that does not fit the protocol');
    expect(drops.map((w) => [w.level, w.reason])).toEqual([
      [40, 'schema'],
      [40, 'version'],
    ]);
  });

  it('fails a request whose answer has the wrong shape, and keeps the connection', async () => {
    const { fake, client } = await connect();
    fake.answer = (req) => ({ v: 1, op: 'reply', id: req.id, data: req.op === 'images' ? [{ name: 'a.iso', size: '2048' }] : null });
    await expect(client.images('a1')).rejects.toMatchObject({ code: 'internal', agentCode: 'bad_reply', message: expect.stringContaining('images') });
    await expect(client.hello('a1')).rejects.toMatchObject({ agentCode: 'bad_reply' });
    // An answer that fails the message schema still fails its request by its id (bad_reply, not a timeout).
    fake.answer = (req) => ({ v: 1, op: 'nonsense', id: req.id });
    await expect(client.drives('a1')).rejects.toMatchObject({ agentCode: 'bad_reply' });
    fake.answer = (req) => ({ v: 1, op: 'reply', id: req.id, data: [] });
    expect(await client.drives('a1')).toEqual([]);
    expect(client.state('a1')).toBe('up');
  });

  it('ends a burn stream with an error when the agent sends a run result for it, and a run stream likewise', async () => {
    const { fake, client } = await connect();
    fake.answer = (req) => {
      if (req.op !== 'burn' && req.op !== 'run') return undefined;
      setImmediate(() => void fake.inject(JSON.stringify({ v: 1, op: 'done', jobId: req.jobId, result: req.op === 'burn' ? runResult : burnResult })));
      return { v: 1, op: 'accepted', id: req.id, jobId: req.jobId, attached: false };
    };
    const burn = await client.burn('a1', { jobId: 'b1', image: 'a.iso', drive: 'd1' });
    await expect(burn.result).rejects.toThrow('sent a run result for job b1');
    const run = await client.run('a1', { jobId: 'r1', command: 'c', ref: 'main' });
    const events = [];
    for await (const e of run) events.push(e);
    expect(events).toEqual([{ type: 'error', code: 'bad_result', message: 'agent a1 sent a burn result for job r1' }]);
    fake.answer = (req) => {
      setImmediate(() => void fake.inject(JSON.stringify({ v: 1, op: 'done', jobId: req.jobId, result: burnResult })));
      return { v: 1, op: 'accepted', id: req.id, jobId: req.jobId, attached: true };
    };
    const again = await client.burn('a1', { jobId: 'b2', image: 'a.iso', drive: 'd1' });
    expect(again.attached).toBe(true);
    expect(await again.result).toEqual(burnResult);
  });
});
