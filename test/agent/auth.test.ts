import { pino } from 'pino';
import * as zmq from 'zeromq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentFixture, type AgentFixture } from '../helpers/agent-fixture.js';
import { curveKeyPair } from '../helpers/curve-keys.js';

let f: AgentFixture;
beforeAll(async () => {
  f = await agentFixture(['d1']);
  await f.start();
});
afterAll(() => f.cleanup());

describe('CURVE and the ZAP allowlist', () => {
  it('accepts a listed client key', async () => {
    const c = f.client();
    expect(await c.hello('a1')).toMatchObject({ v: 1 });
    expect(c.state('a1')).toBe('up');
  });

  it('refuses an unknown client key at the handshake, and the client says why', async () => {
    const stranger = curveKeyPair();
    const c = f.client(undefined, stranger, { requestTimeoutMs: 3_000 });
    const states: string[] = [];
    c.onStateChange((_a, s) => states.push(s));
    await expect(c.hello('a1')).rejects.toMatchObject({ code: 'unavailable', agentCode: 'refused', message: expect.stringContaining('allowedClients') });
    expect(states).toContain('refused');
    expect(c.state('a1')).toBe('refused');
  });

  it('logs a refused key at warn once, however often it retries the handshake', async () => {
    const warnings: { msg?: string; clientKey?: string; suppressed?: number }[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line) as (typeof warnings)[number]) });
    const g = await agentFixture(['d1']);
    const agent = await g.start({ log });
    const stranger = curveKeyPair();
    for (let i = 0; i < 3; i++) {
      const d = new zmq.Dealer({ linger: 0, curveServerKey: g.serverKeys.publicKey, curvePublicKey: stranger.publicKey, curveSecretKey: stranger.secretKey });
      const refused = (async () => {
        for await (const ev of d.events) if (ev.type === 'handshake:error:auth') return;
      })();
      d.connect(agent.endpoint);
      await refused;
      d.close();
    }
    expect(warnings.filter((w) => w.msg === 'refused a client key that is not in agent.allowedClients').map((w) => w.clientKey)).toEqual([stranger.publicKey]);
    await g.cleanup();
  });

  it('never answers a client that does not speak CURVE', async () => {
    const plain = new zmq.Dealer({ linger: 0, receiveTimeout: 700 });
    plain.connect(f.agent!.endpoint);
    await plain.send(JSON.stringify({ v: 1, id: '1', op: 'hello' })).catch(() => undefined);
    await expect(plain.receive()).rejects.toMatchObject({ code: 'EAGAIN' });
    plain.close();
  });

  it('answers malformed requests with a bad_request error', async () => {
    const keys = f.clientKeys;
    const raw = new zmq.Dealer({ linger: 0, receiveTimeout: 3_000, curveServerKey: f.serverKeys.publicKey, curvePublicKey: keys.publicKey, curveSecretKey: keys.secretKey });
    raw.connect(f.agent!.endpoint);
    const next = async (): Promise<Record<string, unknown>> => {
      for (;;) {
        const [frame] = await raw.receive();
        const m = JSON.parse(frame!.toString()) as Record<string, unknown>;
        if (m.op !== 'heartbeat') return m;
      }
    };
    await raw.send('not json');
    expect(await next()).toMatchObject({ op: 'error', code: 'bad_request' });
    await raw.send(JSON.stringify({ v: 3, id: 'x', op: 'hello' }));
    expect(await next()).toMatchObject({ op: 'error', id: 'x', code: 'unsupported' });
    await raw.send(JSON.stringify({ v: 1, id: 'y', op: 'burn', jobId: 'j', image: 'a.iso', drive: 'd1', argv: ['sh'] }));
    expect(await next()).toMatchObject({ op: 'error', id: 'y', code: 'bad_request' });
    await raw.send(JSON.stringify({ v: 1, id: 'z', op: 'run', jobId: 'j', command: 'x', ref: 'main' }));
    expect(await next()).toMatchObject({ op: 'error', id: 'z', code: 'unknown_command' });
    for (const frame of ['null', '[]', '"x"', Buffer.from([0x7b, 0xff, 0x7d]), '{"v":1,"id":"p","op":"hello","__proto__":{"x":1}}', JSON.stringify({ v: 1, id: 'q', op: '__proto__' })]) {
      await raw.send(frame);
      expect(await next()).toMatchObject({ op: 'error', code: 'bad_request' });
    }
    raw.close();
  });

  it('takes a heartbeat as docs/agent.md shows it, without an id, and answers nothing to it', async () => {
    const keys = f.clientKeys;
    const raw = new zmq.Dealer({ linger: 0, receiveTimeout: 3_000, curveServerKey: f.serverKeys.publicKey, curvePublicKey: keys.publicKey, curveSecretKey: keys.secretKey });
    raw.connect(f.agent!.endpoint);
    await raw.send(JSON.stringify({ v: 1, op: 'heartbeat' }));
    await raw.send(JSON.stringify({ v: 1, op: 'heartbeat', id: 'hb' }));
    await raw.send(JSON.stringify({ v: 1, id: 'h', op: 'hello' }));
    const got: unknown[] = [];
    for (;;) {
      const m = JSON.parse((await raw.receive())[0]!.toString()) as { op: string };
      got.push(m);
      if (m.op !== 'heartbeat') break;
    }
    // Anything but heartbeats before hello's reply would be an answer to a heartbeat.
    expect(got.at(-1)).toMatchObject({ v: 1, op: 'reply', id: 'h', data: { agent: 'test-agent', v: 1, heartbeatMs: 200, drives: 1 } });
    expect(got.slice(0, -1).every((m) => JSON.stringify(m) === '{"v":1,"op":"heartbeat"}')).toBe(true);
    raw.close();
  });
});
