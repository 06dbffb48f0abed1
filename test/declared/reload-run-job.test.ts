import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentFixture, type AgentFixture } from '../helpers/agent-fixture.js';
import { startBotChild, type BotChild } from '../helpers/bot-child.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { SlackDouble } from '../helpers/slack-double.js';
import { postSigned, slashBody } from '../helpers/slack-request.js';
import { until } from '../helpers/until.js';

/**
 * A SIGHUP that adds the first job-form `kind: run` command to an `opsline start` with agents and no
 * deploy targets: the deploy queue and its worker were built at start (docs/commands.md, "run: a
 * command on an agent"), so the new command runs as a job at once, without a restart.
 */
const SECRET = 'reload-run-job-signing-secret';
const redis = redisPrefix();
let f: AgentFixture;
let slack: SlackDouble;
let bot: BotChild | undefined;
let marker = '';
beforeAll(async () => {
  [f, slack] = await Promise.all([agentFixture([]), new SlackDouble().start()]);
  marker = join(f.root, 'ran');
  await writeFile(marker, '');
  const script = join(f.root, 'restart.mjs');
  await writeFile(script, `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(marker)}, process.argv[2] + '\\n');\nconsole.log('restarted ' + process.argv[2]);\n`);
  await f.start({ commands: { restart: { argv: [process.execPath, script, '{service}'], refPattern: '^x$', timeoutSec: 30, args: { service: { pattern: '[a-z]{1,20}' } } } } });
});
afterAll(async () => {
  await bot?.stop('SIGKILL');
  await Promise.all([slack?.stop(), redis.cleanup(), f?.cleanup()]);
});

const config = (commands: unknown[]) =>
  JSON.stringify({
    log: { level: 'info' },
    http: { port: 0, host: '127.0.0.1' },
    slack: { signingSecret: SECRET, botToken: 'xoxb-test', apiUrl: slack.apiUrl },
    redis: { url: REDIS_URL, prefix: redis.prefix },
    agents: [{ name: 'a1', endpoint: f.agent!.endpoint, serverKey: f.serverKeys.publicKey, heartbeatMs: 200 }],
    clientKeys: { public: f.clientKeys.publicKey, secret: f.clientKeys.secretKey },
    access: { users: [{ key: 'slack:T1:UOPS', name: 'olga', roles: ['operator'] }] },
    commands,
  });
const restart = { name: 'restart', description: 'Restart a service', kind: 'run', agent: 'a1', run: 'restart', args: [{ name: 'service', pattern: '^[a-z]{1,20}$' }], roles: ['operator'] };

async function slash(command: string, text: string): Promise<string> {
  const r = await postSigned(`${bot!.base}/slack/events`, slashBody({ command, text, user_id: 'UOPS', user_name: 'olga' }), { secret: SECRET });
  expect(r.status).toBe(200);
  return r.text;
}

describe('a reload that adds the first job-form run command', () => {
  it('runs it as a job on the agent without a restart', async () => {
    const file = join(f.root, 'bot.json');
    await writeFile(file, config([]));
    bot = await startBotChild(file, 60_000);
    expect(await slash('/restart', 'web')).toContain('unknown command');

    await writeFile(file, config([restart]));
    bot.signal('SIGHUP');
    await until(() => bot!.output().includes('declared commands reloaded'), { timeoutMs: 30_000 });
    const answer = await slash('/restart', 'web');
    const id = /job (r[a-z0-9]{6}): \/restart queued/.exec(answer)?.[1];
    expect(id, answer).toBeDefined();
    // The worker in the bot process ran it on the agent, which recorded it in its ledger, and the thread says so.
    const agent = f.client();
    const done = await until(async () => {
      const s = await agent.runStatus('a1', id!);
      return s.state === 'finished' ? s : undefined;
    }, { timeoutMs: 30_000 });
    expect(done).toMatchObject({ result: { ok: true, exitCode: 0 } });
    expect((await readFile(marker, 'utf8')).split('\n').filter(Boolean)).toEqual(['web']);
    await slack.waitFor(() => slack.callsOf('chat.postMessage').some((c) => String(c.body.text ?? '').includes('/restart service=web finished ✔')), 30_000);
  }, 120_000);
});
