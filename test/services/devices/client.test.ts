import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeviceClient, type AgentState, type JobEvent } from '../../../src/services/devices/index.js';
import { agentFixture, freePort, silent, type AgentFixture } from '../../helpers/agent-fixture.js';
import { fakeAgent } from '../../helpers/fake-agent.js';
import { makeIso } from '../../helpers/iso.js';
import { until } from '../../helpers/until.js';

let f: AgentFixture;
beforeAll(async () => {
  f = await agentFixture(['d1'], '1000k');
  await makeIso(f.imagesDir, 'img.iso', { bytes: 3 * 1024 * 1024 });
});
afterAll(() => f.cleanup());

/** An agent that heartbeats while `alive` and never answers anything else: a hung agent. */
async function mute(keys: { publicKey: string; secretKey: string }) {
  const fake = await fakeAgent(keys);
  fake.answer = () => undefined;
  return { endpoint: fake.endpoint, state: fake, close: () => fake.close() };
}

describe('DeviceClient', () => {
  it('times a request out when the agent heartbeats but does not answer', async () => {
    const m = await mute(f.serverKeys);
    const c = f.client(m.endpoint, undefined, { requestTimeoutMs: 600 });
    // The rejection itself is the event: a request that never times out would hang this test.
    await expect(c.images('a1')).rejects.toMatchObject({ code: 'timeout', message: expect.stringContaining('images') });
    expect(c.state('a1')).toBe('up');
    m.close();
  });

  it('reports the agent down after missed heartbeats, even while TCP stays open', async () => {
    const m = await mute(f.serverKeys);
    const c = f.client(m.endpoint, undefined, { heartbeatMs: 100 });
    const states: AgentState[] = [];
    c.onStateChange((_a, s) => states.push(s));
    await until(() => c.state('a1') === 'up');
    m.state.alive = false;
    await until(() => c.state('a1') === 'down');
    expect(states).toEqual(['up', 'down']);
    expect(c.agents()[0]).toMatchObject({ name: 'a1', state: 'down' });
    m.state.alive = true;
    await until(() => c.state('a1') === 'up');
    m.close();
  });

  it('reconnects to a restarted agent and keeps job streams honest across a graceful stop', async () => {
    const endpoint = `tcp://127.0.0.1:${await freePort()}`;
    const agent = await f.start({ bind: endpoint });
    const c = f.client(endpoint);
    const s = await c.burn('a1', { jobId: 'grace-1', image: 'img.iso', drive: 'd1' });
    const events: JobEvent[] = [];
    s.on((e) => events.push(e));
    await until(() => events.some((e) => e.type === 'progress' && e.bytes > 0));
    // A graceful stop cancels the burn and tells the watcher, rather than leaving it wondering.
    await agent.close();
    expect(await s.result).toMatchObject({ outcome: 'cancelled' });
    await until(() => c.state('a1') === 'down');
    await f.start({ bind: endpoint });
    expect(await c.status('a1', 'grace-1')).toMatchObject({ state: 'finished', result: { outcome: 'cancelled' } });
    expect(c.state('a1')).toBe('up');
  });

  it('fails a request still waiting for an unreachable agent when the client closes (a stop during start-up)', async () => {
    const c = f.client(`tcp://127.0.0.1:${await freePort()}`, undefined, { requestTimeoutMs: 300_000 });
    const drives = c.drives('a1');
    expect(c.state('a1')).toBe('connecting');
    await c.close();
    // Without this the request's 300 s timer would keep a stopped process alive.
    await expect(drives).rejects.toMatchObject({ code: 'unavailable', message: 'device client closed' });
  });

  it('is up as soon as the connection is made, not one heartbeat interval later', async () => {
    const agent = await f.start();
    // An interval far past the request timeout: only a heartbeat sent when the connection is made gets "up" in time.
    const c = f.client(agent.endpoint, undefined, { heartbeatMs: 600_000, requestTimeoutMs: 5_000 });
    await expect(c.hello('a1')).resolves.toMatchObject({ agent: 'test-agent' });
    expect(c.state('a1')).toBe('up');
    await c.close();
    await agent.close();
  });

  it('refuses an unknown agent name and builds nothing without agents in config', async () => {
    const c = f.client('tcp://127.0.0.1:9');
    await expect(c.hello('nope')).rejects.toMatchObject({ code: 'not_found' });
    expect(createDeviceClient({ agents: undefined, clientKeys: undefined }, silent)).toBeUndefined();
  });
});

