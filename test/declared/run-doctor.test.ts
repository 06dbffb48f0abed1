import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommandChecks } from '../../commands/declared/run-doctor.js';
import { buildConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { agentFixture, type AgentFixture } from '../helpers/agent-fixture.js';
import { REDIS_URL } from '../helpers/redis.js';
import { startV1Agent, type V1Agent } from '../helpers/v1-agent.js';

/** `opsline doctor`'s line for each declared run command, against a real agent over CURVE and one of protocol 1. */
let f: AgentFixture;
let old: V1Agent;
beforeAll(async () => {
  f = await agentFixture([]);
  await f.start({ commands: { uptime: { argv: ['uptime'], refPattern: '^x$', timeoutSec: 5 }, restart: { argv: ['true', '{service}'], refPattern: '^x$', timeoutSec: 5, args: { service: { pattern: '[a-z]+' } } } } });
  old = await startV1Agent();
});
afterAll(async () => {
  old.close();
  await f.cleanup();
});

const run = (name: string, agent: string, runName: string, quick: boolean) => ({ name, description: 'd', kind: 'run' as const, agent, run: runName, quick, roles: ['operator' as const] });

function config(commands: ConfigInput['commands'], redis = REDIS_URL): ConfigInput {
  return {
    redis: { url: redis },
    clientKeys: { public: f.clientKeys.publicKey, secret: f.clientKeys.secretKey },
    agents: [
      { name: 'a1', endpoint: f.agent!.endpoint, serverKey: f.serverKeys.publicKey },
      // The old agent accepts any client key (it has no ZAP): only its server key must match.
      { name: 'old', endpoint: old.endpoint, serverKey: old.serverKeys.publicKey },
    ],
    commands,
  };
}

async function lines(input: ConfigInput): Promise<string[]> {
  return Promise.all(runCommandChecks(buildConfig(input, 'test')).map((c) => c.run().then((d) => `ok ${c.name}: ${d}`, (err: Error) => `FAIL ${c.name}: ${err.message}`)));
}

describe('opsline doctor: declared run commands', () => {
  it('passes a command the agent lists, and names what is wrong with each other one', async () => {
    const out = await lines(
      config([
        run('uptime', 'a1', 'uptime', true),
        run('restart', 'a1', 'restart', false),
        run('reboot', 'a1', 'reboot', true),
        run('far', 'ghost', 'uptime', true),
        run('legacy', 'old', 'uptime', true),
      ]),
    );
    expect(out).toEqual([
      'ok command /uptime: a1 runs uptime (quick: answered in place)',
      'ok command /restart: a1 runs restart (as a job on the deploy queue, lane deploy.declared.run)',
      "FAIL command /reboot: agent a1 has no agent.commands.reboot (it has restart, uptime): add it to that host's config (commands[2].run)",
      'FAIL command /far: commands[3].agent: no agent named ghost under agents:',
      'FAIL command /legacy: agent old does not support declared commands (it speaks protocol 1): upgrade opsline on that host',
    ]);
  });

  it('fails a job command whose queue’s Redis does not answer, and not a quick one', async () => {
    const out = await lines(config([run('uptime', 'a1', 'uptime', true), run('restart', 'a1', 'restart', false)], 'redis://127.0.0.1:1'));
    expect(out[0]).toBe('ok command /uptime: a1 runs uptime (quick: answered in place)');
    expect(out[1]).toMatch(/^FAIL command \/restart: runs as a job on the deploy queue, and its Redis \(.*127\.0\.0\.1:1.*\) does not answer: .*ECONNREFUSED/);
  });
});
