import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zmq from 'zeromq';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/agent-fixture.js';
import { until } from '../helpers/until.js';
import { CLI } from '../helpers/cli-child.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { postSigned, slashBody } from '../helpers/slack-request.js';

const SECRET = 'agent-down-signing-secret';
const redis = redisPrefix();
const cleanups: (() => Promise<unknown>)[] = [redis.cleanup];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

describe('opsline start with an agent that is not reachable', () => {
  it('serves HTTP at once: /healthz, Slack acks, and /readyz ready, naming the agent that is down', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsline-agent-down-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const [port, deadPort] = [await freePort(), await freePort()];
    const server = zmq.curveKeyPair();
    const client = zmq.curveKeyPair();
    const config = join(dir, 'bot.yaml');
    // The longest request timeout the schema allows: the workers' first drive discovery waits that long for the agent.
    await writeFile(
      config,
      JSON.stringify({
        log: { level: 'warn' },
        http: { port, host: '127.0.0.1' },
        slack: { signingSecret: SECRET, botToken: 'xoxb-test', apiUrl: 'http://127.0.0.1:9/api/' },
        redis: { url: REDIS_URL, prefix: redis.prefix },
        agents: [{ name: 'a1', endpoint: `tcp://127.0.0.1:${deadPort}`, serverKey: server.publicKey, requestTimeoutMs: 300_000 }],
        clientKeys: { public: client.publicKey, secret: client.secretKey },
        access: { users: [{ key: 'slack:T1:UADMIN', name: 'alice', roles: ['admin'] }] },
      }),
    );
    const child = spawn(process.execPath, [CLI, '--config', config, 'start'], { stdio: 'ignore' });
    cleanups.push(async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    });
    const base = `http://127.0.0.1:${port}`;
    expect(await until(() => fetch(`${base}/healthz`).then((r) => r.ok, () => false), { everyMs: 100 })).toBe(true);
    const help = await postSigned(`${base}/slack/events`, slashBody({ command: '/help' }), { secret: SECRET });
    expect(help.status).toBe(200);
    expect(help.text).toContain('You may run');
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { 'agent:a1': { ok: false } } });
  });
});
