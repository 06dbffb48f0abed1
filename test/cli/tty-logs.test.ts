import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentFixture, freePort, type AgentFixture } from '../helpers/agent-fixture.js';
import { CLI, startCli } from '../helpers/cli-child.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { tmuxPane, type TmuxPane } from '../helpers/tmux.js';

const has = (text: string | RegExp) => (lines: string[]) => lines.some((l) => (typeof text === 'string' ? l.includes(text) : text.test(l)));
const JSON_LINE = /^\{"level":/;

// An operator who runs `opsline agent` or `opsline worker` by hand reads its log in a terminal: lines for
// people there (pino-pretty, as the console prints them), JSON lines for a collector everywhere else.
describe('opsline agent and worker logs', () => {
  let f: AgentFixture;
  let agentConfig = '';
  let workerConfig = '';
  const panes: TmuxPane[] = [];
  const redis = redisPrefix();

  beforeAll(async () => {
    f = await agentFixture(['d1']);
    const o = f.options();
    const endpoint = `tcp://127.0.0.1:${await freePort()}`;
    agentConfig = join(f.root, 'agent.yaml');
    workerConfig = join(f.root, 'worker.yaml');
    const agent = { bind: endpoint, keys: o.keys, allowedClients: o.allowedClients, imagesDir: o.imagesDir, stateDir: o.stateDir, drives: o.drives };
    await writeFile(agentConfig, JSON.stringify({ log: { level: 'info' }, agent }));
    await writeFile(
      workerConfig,
      JSON.stringify({
        log: { level: 'info' },
        redis: { url: REDIS_URL, prefix: redis.prefix },
        agents: [{ name: 'a1', endpoint, serverKey: f.serverKeys.publicKey }],
        clientKeys: { public: f.clientKeys.publicKey, secret: f.clientKeys.secretKey },
      }),
    );
  });

  afterAll(async () => {
    for (const p of panes) await p.kill();
    await Promise.all([redis.cleanup(), f?.cleanup()]);
  });

  it('are lines for people on a terminal', async () => {
    const agent = await tmuxPane([process.execPath, CLI, '--config', agentConfig, 'agent'], { width: 160, height: 40 });
    panes.push(agent);
    const a = await agent.waitFor('the agent listening', has(/^\[\d\d:\d\d:\d\d\] INFO: agent listening$/), 60_000);
    expect(a.filter((l) => JSON_LINE.test(l))).toEqual([]);

    const worker = await tmuxPane([process.execPath, CLI, '--config', workerConfig, 'worker'], { width: 160, height: 40 });
    panes.push(worker);
    const w = await worker.waitFor('the worker started', has(/^\[\d\d:\d\d:\d\d\] INFO: opsline worker started$/), 60_000);
    expect(w.filter((l) => JSON_LINE.test(l))).toEqual([]);
    // The next test binds the same agent port.
    for (const p of panes.splice(0)) await p.kill();
  }, 120_000);

  it('are JSON lines when stderr is not a terminal', async () => {
    const agent = await startCli(['--config', agentConfig, 'agent'], 'agent listening');
    try {
      const listening = agent.output().split('\n').find((l) => l.includes('agent listening'));
      expect(JSON.parse(listening ?? '')).toMatchObject({ level: 30, msg: 'agent listening' });
    } finally {
      agent.kill('SIGKILL');
    }
  }, 60_000);
});
