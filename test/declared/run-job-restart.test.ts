import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { buildConfig } from '../../src/config/load.js';
import { runCommandEntry } from '../../src/config/declared-run.js';
import { declaredRunCommand } from '../../commands/declared/run.js';
import { buildApp } from '../../src/app/main.js';
import { agentFixture, type AgentFixture } from '../helpers/agent-fixture.js';
import { startCli } from '../helpers/cli-child.js';
import { lineInvocation } from '../helpers/command-line.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { RecordingTransport } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('a declared run job whose worker is killed mid-run', () => {
  it('is taken over by another worker process that re-attaches: the command runs once and the job ends ok', async () => {
    const f: AgentFixture = await agentFixture([]);
    cleanups.push(() => f.cleanup());
    const redis = redisPrefix();
    cleanups.push(() => redis.cleanup());
    const marker = join(f.root, 'ran');
    const gate = join(f.root, 'gate');
    await writeFile(marker, '');
    const script = join(f.root, 'restart.mjs');
    await writeFile(script, `import { appendFileSync, existsSync } from 'node:fs';\nappendFileSync(${JSON.stringify(marker)}, process.argv[2] + '\\n');\nconsole.log('started');\nawait new Promise((r) => { const t = setInterval(() => existsSync(${JSON.stringify(gate)}) && (clearInterval(t), r()), 20); });\n`);
    await f.start({ commands: { restart: { argv: [process.execPath, script, '{service}'], refPattern: '^x$', timeoutSec: 120, args: { service: { pattern: '[a-z]{1,20}' } } } } });
    const raw = {
      log: { level: 'info' as const },
      agents: [{ name: 'a1', endpoint: f.agent!.endpoint, serverKey: f.serverKeys.publicKey, heartbeatMs: 200 }],
      clientKeys: { public: f.clientKeys.publicKey, secret: f.clientKeys.secretKey },
      redis: { url: REDIS_URL, prefix: redis.prefix },
      jobs: { lockDurationMs: 2000, stalledIntervalMs: 500 },
      access: { users: [{ key: 'console:olga', roles: ['operator' as const] }] },
      deploy: { targets: [{ name: 'unused', kind: 'webhook' as const, url: 'http://127.0.0.1:9/never' }] },
    };
    const configPath = join(f.root, 'bot.yaml');
    await writeFile(configPath, JSON.stringify(raw));
    const worker = () => startCli(['--config', configPath, 'worker'], 'opsline worker started');
    const first = await worker();
    cleanups.push(() => void first.kill('SIGKILL'));

    // The bot side: the real dispatcher and the declared command; no workers in this process.
    const log = pino({ level: 'silent' });
    const entry = runCommandEntry.parse({ name: 'restart', description: 'Restart a service', kind: 'run', agent: 'a1', run: 'restart', args: [{ name: 'service', pattern: '^[a-z]{1,20}$' }], roles: ['operator'] });
    const app = await buildApp(buildConfig({ ...raw, log: { level: 'silent' } }), { log, commands: [...commands, declaredRunCommand(entry)] });
    cleanups.push(() => app.stop());
    const transport = new RecordingTransport();
    app.transports.add(transport);
    const olga = { key: 'console:olga', name: 'olga' };
    const reply = await app.dispatcher.dispatch(lineInvocation(olga, '/restart web'), transport.starter(olga));
    const id = /job (r[a-z0-9]{6})/.exec(reply.text)![1]!;
    const agent = f.client();
    await until(async () => (await agent.runStatus('a1', id)).state === 'running', { timeoutMs: 30_000 });

    // The replacement is up before the first one goes; it takes the job once the dead one's lock lapses.
    const second = await worker();
    cleanups.push(() => void second.kill('SIGKILL'));
    first.kill('SIGKILL');
    await writeFile(gate, '');
    const done = await until(async () => {
      const j = await app.services.deploys!.queue.get(id);
      return j?.state === 'finished' || j?.state === 'failed' ? j : undefined;
    }, { timeoutMs: 60_000 });
    expect(done.result).toMatchObject({ ok: true, exitCode: 0 });
    expect((await readFile(marker, 'utf8')).split('\n').filter(Boolean)).toEqual(['web']);
  }, 120_000);
});
