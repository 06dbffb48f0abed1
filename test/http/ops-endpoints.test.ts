import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentFixture, freePort, type AgentFixture } from '../helpers/agent-fixture.js';
import { startBotChild, type BotChild } from '../helpers/bot-child.js';
import { startCli } from '../helpers/cli-child.js';
import { createTestDatabase, type TestDatabase } from '../helpers/mysql.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { SlackDouble } from '../helpers/slack-double.js';
import { postSigned, slashBody } from '../helpers/slack-request.js';
import { until } from '../helpers/until.js';

const SECRET = 'ops-endpoints-signing-secret';
type Readyz = { ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> };

// The real `opsline start` (child process) with MySQL, Redis, an agent in its own process and Slack over HTTP.
describe('opsline start: /readyz, /metrics and SIGHUP', () => {
  let f: AgentFixture;
  let db: TestDatabase;
  let slack: SlackDouble;
  let bot: BotChild;
  let configPath: string;
  let agentConfig: string;
  let agent: Awaited<ReturnType<typeof startCli>> | undefined;
  const redis = redisPrefix();
  const users = [{ key: 'slack:T1:UADMIN', name: 'alice', roles: ['admin'] }];
  const botConfig = (extraUsers: object[] = []) => ({
    log: { level: 'info' },
    http: { port: 0, host: '127.0.0.1' },
    slack: { signingSecret: SECRET, botToken: 'xoxb-test', apiUrl: slack.apiUrl },
    mysql: { url: db.appUrl() },
    redis: { url: REDIS_URL, prefix: redis.prefix },
    agents: [{ name: 'a1', endpoint: agentEndpoint, serverKey: f.serverKeys.publicKey, heartbeatMs: 200, liveness: 2 }],
    clientKeys: { public: f.clientKeys.publicKey, secret: f.clientKeys.secretKey },
    access: { users: [...users, ...extraUsers] },
  });
  let agentEndpoint = '';

  const startAgent = async () => (agent = await startCli(['--config', agentConfig, 'agent'], 'agent listening'));
  const readyz = async () => {
    const res = await fetch(`${bot.base}/readyz`);
    return { status: res.status, body: (await res.json()) as Readyz };
  };
  const command = (line: string, user = 'UADMIN') => {
    const [cmd, ...rest] = line.split(' ');
    return postSigned(`${bot.base}/slack/events`, slashBody({ command: cmd!, text: rest.join(' '), user_id: user }), { secret: SECRET });
  };

  beforeAll(async () => {
    [f, db, slack] = await Promise.all([agentFixture(['d1']), createTestDatabase(), new SlackDouble().start()]);
    agentEndpoint = `tcp://127.0.0.1:${await freePort()}`;
    agentConfig = join(f.root, 'agent.yaml');
    const o = f.options();
    const agentSection = { bind: agentEndpoint, keys: o.keys, allowedClients: o.allowedClients, imagesDir: o.imagesDir, stateDir: o.stateDir, drives: o.drives, heartbeatMs: 200 };
    await writeFile(agentConfig, JSON.stringify({ log: { level: 'info' }, agent: agentSection }));
    await startAgent();
    configPath = join(f.root, 'bot.yaml');
    await writeFile(configPath, JSON.stringify(botConfig()));
    bot = await startBotChild(configPath);
  }, 60_000);

  afterAll(async () => {
    await bot?.stop('SIGKILL');
    agent?.kill('SIGKILL');
    await Promise.all([slack?.stop(), db?.drop(), redis.cleanup(), f?.cleanup()]);
  });

  it('lists every check, stays ready while the agent process is gone (reported in the body and /metrics), and sees it back', async () => {
    const scrape = async () => (await fetch(`${bot.base}/metrics`)).text();
    const up = await until(async () => {
      const r = await readyz();
      return r.body.checks['agent:a1']?.ok ? r : undefined;
    }, { everyMs: 100 });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ ready: true, state: 'started', checks: { mysql: { ok: true }, redis: { ok: true }, 'agent:a1': { ok: true } } });
    agent!.kill('SIGKILL');
    const down = await until(async () => {
      const r = await readyz();
      return r.body.checks['agent:a1']?.ok === false ? r : undefined;
    }, { everyMs: 100 });
    // One burner host powered off must not take every chat command offline behind the load balancer.
    expect(down.status).toBe(200);
    expect(down.body.ready).toBe(true);
    expect(down.body.checks['agent:a1']).toMatchObject({ ok: false, detail: expect.stringMatching(/agent a1 is (down|connecting)/) });
    expect(down.body.checks.mysql).toEqual({ ok: true });
    const metrics = await scrape();
    expect(metrics).toMatch(/^opsline_dependency_up\{dependency="agent:a1"\} 0$/m);
    expect(metrics).toMatch(/^opsline_dependency_up\{dependency="mysql"\} 1$/m);
    expect(metrics).toMatch(/^opsline_ready 1$/m);
    await startAgent();
    const back = await until(async () => {
      const r = await readyz();
      return r.body.checks['agent:a1']?.ok ? r : undefined;
    }, { everyMs: 100 });
    expect(back).toMatchObject({ status: 200, body: { ready: true, checks: { 'agent:a1': { ok: true } } } });
  }, 60_000);

  it('serves /metrics that promtool accepts, and its command counters move when commands run', async () => {
    const scrape = async () => (await fetch(`${bot.base}/metrics`)).text();
    const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    const help = 'opsline_commands_total{command="help",decision="allow",outcome="ok"}';
    const unknown = 'opsline_commands_total{command="unknown",decision="unknown",outcome="refused"}';
    const before = await scrape();
    expect((await command('/help')).status).toBe(200);
    expect((await command('/help')).status).toBe(200);
    expect((await command('/no-such-command-x1')).status).toBe(200);
    const after = await scrape();
    expect(value(after, help) - value(before, help)).toBe(2);
    expect(value(after, unknown) - value(before, unknown)).toBe(1);
    expect(after).not.toContain('no-such-command-x1');
    expect(value(after, 'opsline_command_duration_seconds_count{command="help",outcome="ok"}')).toBeGreaterThanOrEqual(2);
    expect(value(after, 'opsline_ack_duration_seconds_count{platform="slack"}')).toBeGreaterThanOrEqual(3);
    for (const name of ['opsline_jobs{kind="burn",state="queued"}', 'opsline_agent_state{agent="a1",state="up"}', 'opsline_adapter_connected{adapter="slack"}', 'opsline_dependency_up{dependency="redis"}', 'opsline_ready'])
      expect(after).toMatch(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} \\d`, 'm'));
    expect(after).toMatch(/^opsline_audit_pending \d+$/m);
    expect(after).toMatch(/^opsline_agent_round_trip_seconds\{agent="a1"\} [\d.e-]+$/m);
    expect(after).toMatch(/^process_cpu_user_seconds_total /m);
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: after, encoding: 'utf8' });
    expect(lint.error).toBeUndefined();
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(lint.status).toBe(0);
  }, 30_000);

  it('reloads the allowlist on SIGHUP, and keeps it when the new file is bad', async () => {
    const whoami = async () => JSON.stringify((await command('/whoami', 'UNEW')).json);
    expect(await whoami()).toMatch(/slack:T1:UNEW/);
    expect(await whoami()).not.toContain('operator');
    const logged = (line: string) => bot.output().split(line).length - 1;
    await writeFile(configPath, JSON.stringify(botConfig([{ key: 'slack:T1:UNEW', name: 'nora', roles: ['operator'] }])));
    const good = logged('access allowlist reloaded');
    bot.signal('SIGHUP');
    await until(() => logged('access allowlist reloaded') > good);
    expect(await whoami()).toMatch(/operator/);

    await writeFile(configPath, JSON.stringify(botConfig([{ key: 'slack:T1:UNEW', name: 'nora', roles: ['wizard'] }])));
    const bad = logged('access allowlist not reloaded');
    bot.signal('SIGHUP');
    await until(() => logged('access allowlist not reloaded') > bad);
    expect(bot.output().split('\n').find((l) => l.includes('access allowlist not reloaded'))).toContain('access.users.1.roles');
    expect(await whoami()).toMatch(/operator/);
  }, 30_000);
});
