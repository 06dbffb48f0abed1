import { pino } from 'pino';
import { curveKeyPair } from '../helpers/curve-keys.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, buildConfig } from '../../src/config/load.js';
import type { AlertEntry } from '../../src/config/schedules.js';
import { MemoryAuditSink } from '../../src/core/audit.js';
import { ScheduleRunner } from '../../src/schedules/runner.js';
import { MemoryScheduleStore } from '../../src/schedules/stores.js';
import type { ZmqDeviceClient } from '../../src/services/devices/client.js';
import { agentFixture, freePort, type AgentFixture } from '../helpers/agent-fixture.js';
import { RecordingPoster } from '../helpers/recording-poster.js';
import { TestAdapter } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';

const post = { platform: 'console' as const, channel: 'oncall' };

describe('agent alerts (alerts[].agents)', () => {
  let f: AgentFixture;
  let client: ZmqDeviceClient;
  let bind = '';
  let t: TestAdapter;

  beforeAll(async () => {
    f = await agentFixture(['d1']);
    // A fixed port, so the agent comes back on the endpoint the client keeps dialling.
    bind = `tcp://127.0.0.1:${await freePort()}`;
    await f.start({ bind });
    client = f.client(bind);
    t = await TestAdapter.create({});
  });
  afterAll(async () => {
    await t?.stop();
    await f?.cleanup();
  });

  it('posts when an agent goes down and when it is back, once per transition, mentioning the on-call; every check is audited', async () => {
    const alert = { name: 'burners', every: 60_000, timezone: 'UTC', window: 'today', agents: ['a1'], post, mention: ['console:oncall'] } as AlertEntry;
    const poster = new RecordingPoster('console');
    const audit = new MemoryAuditSink();
    const runner = new ScheduleRunner(new Map(), new Map([['burners', alert]]), {
      dispatcher: t.app.dispatcher,
      store: new MemoryScheduleStore(),
      outbox: { deliver: (target, p) => poster.post(target.channel, p) },
      log: pino({ level: 'silent' }),
      now: () => new Date(),
      audit,
      devices: () => client,
    });
    const check = () => runner.run('burners', { scheduledAt: new Date(), manual: false });

    await until(() => client.state('a1') === 'up');
    expect(await check()).toBe('no change: a1 up');
    await f.agent!.close();
    await until(() => client.state('a1') === 'down');
    expect(await check()).toBe('posted: a1 down');
    expect(await check()).toBe('no change: a1 down');
    await f.start({ bind });
    await until(() => client.state('a1') === 'up');
    expect(await check()).toBe('posted: a1 back');
    expect(await check()).toBe('no change: a1 up');

    expect(poster.posts).toEqual([
      { channel: 'oncall', text: '🔴 alert burners: agent a1 is down: no heartbeat', mentions: ['console:oncall'] },
      { channel: 'oncall', text: '🟢 alert burners cleared: agent a1 is back', mentions: ['console:oncall'] },
    ]);
    const row = { principalKey: 'system:alert:burners', platform: 'console', room: 'oncall', command: 'alert', argsJson: '{"name":"burners","agents":["a1"]}', decision: 'allow', outcome: 'ok' };
    expect(audit.records).toHaveLength(5);
    for (const r of audit.records) expect(r).toMatchObject(row);
  }, 60_000);

  it('is configured under alerts: known agents only, and no status condition', () => {
    const keys = curveKeyPair();
    const base = {
      redis: { url: 'redis://127.0.0.1:6379' },
      agents: [{ name: 'burner1', endpoint: 'tcp://10.0.0.5:5555', serverKey: keys.publicKey }],
      clientKeys: { public: keys.publicKey, secret: keys.secretKey },
    };
    const issues = (alert: Record<string, unknown>): readonly string[] => {
      try {
        buildConfig({ ...base, alerts: [{ name: 'burners', post, ...alert }] });
        return [];
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).issues;
      }
    };
    // No status section needed: an agent alert reads the agents' heartbeats.
    expect(issues({ agents: ['burner1'] })).toEqual([]);
    expect(issues({ agents: ['burner2'] })).toEqual(['alerts.0.agents.0: no agent named burner2 in agents']);
    expect(issues({ agents: ['burner1'], status: 'Failed', above: 3 })).toEqual([
      'alerts.0.status: an agent alert (agents) takes no status condition; make it a separate alert',
      'alerts.0.above: an agent alert (agents) takes no status condition; make it a separate alert',
    ]);
  });
});
