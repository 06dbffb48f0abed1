import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { curveKeyPair } from '../helpers/curve-keys.js';
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

/** `opsline start` with the agent `a1` unreachable: its workers' first drive discovery waits 300 s for it. */
async function startAgentDown(level: string) {
  const dir = await mkdtemp(join(tmpdir(), 'opsline-agent-down-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const [port, deadPort] = [await freePort(), await freePort()];
  const server = curveKeyPair();
  const client = curveKeyPair();
  const config = join(dir, 'bot.yaml');
  // The longest request timeout the schema allows: the workers' first drive discovery waits that long for the agent.
  await writeFile(
    config,
    JSON.stringify({
      log: { level },
      http: { port, host: '127.0.0.1' },
      slack: { signingSecret: SECRET, botToken: 'xoxb-test', apiUrl: 'http://127.0.0.1:9/api/' },
      redis: { url: REDIS_URL, prefix: redis.prefix },
      agents: [{ name: 'a1', endpoint: `tcp://127.0.0.1:${deadPort}`, serverKey: server.publicKey, requestTimeoutMs: 300_000 }],
      clientKeys: { public: client.publicKey, secret: client.secretKey },
      access: { users: [{ key: 'slack:T1:UADMIN', name: 'alice', roles: ['admin'] }] },
    }),
  );
  const child = spawn(process.execPath, [CLI, '--config', config, 'start'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  });
  const base = `http://127.0.0.1:${port}`;
  expect(await until(() => fetch(`${base}/healthz`).then((r) => r.ok, () => false), { everyMs: 100 })).toBe(true);
  return { child, base, exited, output: () => output };
}

describe('opsline start with an agent that is not reachable', () => {
  it('serves HTTP at once: /healthz, Slack acks, and /readyz ready, naming the agent that is down', async () => {
    const { base } = await startAgentDown('warn');
    const help = await postSigned(`${base}/slack/events`, slashBody({ command: '/help' }), { secret: SECRET });
    expect(help.status).toBe(200);
    expect(help.text).toContain('You may run');
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { 'agent:a1': { ok: false } } });
  });

  // systemd's ExecReload sends SIGHUP whenever asked, start-up included; its default action ends the process.
  it('takes a SIGHUP while its workers wait for the agent (it reloads), and stops at once on SIGTERM', async () => {
    const bot = await startAgentDown('info');
    // Still starting: the workers wait for a1, so the start has not been logged.
    expect(bot.output()).not.toContain('opsline started');
    bot.child.kill('SIGHUP');
    await until(() => bot.output().includes('access allowlist reloaded') || bot.child.exitCode !== null || bot.child.signalCode !== null, { everyMs: 50 });
    expect({ code: bot.child.exitCode, signal: bot.child.signalCode }).toEqual({ code: null, signal: null });
    expect(bot.output()).toContain('access allowlist reloaded');
    expect((await fetch(`${bot.base}/healthz`)).ok).toBe(true);
    // A stop signal does not wait out the agent's 300 s: the graceful stop runs now.
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toEqual([0, null]);
    expect(bot.output()).not.toContain('opsline started');
    expect(bot.output()).toContain('"msg":"stopped"');
  }, 60_000);
});
