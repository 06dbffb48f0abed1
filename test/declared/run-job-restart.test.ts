import { once } from 'node:events';
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
import { createTestDatabase } from '../helpers/mysql.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { RecordingTransport } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/**
 * An agent whose `restart` command records each run and waits for the gate file, a worker process
 * (`opsline worker`) and the bot side in this process (the real dispatcher, no workers), on one
 * config; `mysql` adds a database for the durable job record, seen by every process.
 */
async function world(o: { mysql?: boolean } = {}) {
  const db = o.mysql ? await createTestDatabase() : undefined;
  if (db) cleanups.push(() => db.drop());
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
    ...(db ? { mysql: { url: db.appUrl() } } : {}),
    access: { users: [{ key: 'console:olga', roles: ['operator' as const] }] },
    deploy: { targets: [{ name: 'unused', kind: 'webhook' as const, url: 'http://127.0.0.1:9/never' }] },
  };
  const configPath = join(f.root, 'bot.yaml');
  await writeFile(configPath, JSON.stringify(raw));
  const worker = async () => {
    const w = await startCli(['--config', configPath, 'worker'], 'opsline worker started');
    cleanups.push(() => void w.kill('SIGKILL'));
    return w;
  };
  const first = await worker();
  const entry = runCommandEntry.parse({ name: 'restart', description: 'Restart a service', kind: 'run', agent: 'a1', run: 'restart', args: [{ name: 'service', pattern: '^[a-z]{1,20}$' }], roles: ['operator'] });
  const app = await buildApp(buildConfig({ ...raw, log: { level: 'silent' } }), { log: pino({ level: 'silent' }), commands: [...commands, declaredRunCommand(entry)] });
  cleanups.push(() => app.stop());
  const transport = new RecordingTransport();
  app.transports.add(transport);
  const olga = { key: 'console:olga', name: 'olga' };
  const queue = app.services.deploys!.queue;
  return {
    app,
    queue,
    agent: f.client(),
    first,
    worker,
    open: () => writeFile(gate, ''),
    ran: async () => (await readFile(marker, 'utf8')).split('\n').filter(Boolean),
    /** `/restart <service>` as olga: its job id. */
    start: async (line: string) => /job (r[a-z0-9]{6})/.exec((await app.dispatcher.dispatch(lineInvocation(olga, line), transport.starter(olga))).text)![1]!,
    ended: (id: string) =>
      until(async () => {
        const j = await queue.get(id);
        return j?.state === 'finished' || j?.state === 'failed' ? j : undefined;
      }, { timeoutMs: 60_000 }),
  };
}

describe('a declared run job whose worker is killed mid-run', () => {
  it('is taken over by another worker process that re-attaches: the command runs once and the job ends ok', async () => {
    const w = await world();
    const id = await w.start('/restart web');
    await until(async () => (await w.agent.runStatus('a1', id)).state === 'running', { timeoutMs: 30_000 });
    // The replacement is up before the first one goes; it takes the job once the dead one's lock lapses.
    await w.worker();
    w.first.kill('SIGKILL');
    await w.open();
    const end = await w.ended(id);
    expect(end.result, `ended ${end.state}: ${end.error ?? ''}\nfirst worker:\n${w.first.output().slice(-3000)}`).toMatchObject({ ok: true, exitCode: 0 });
    expect(await w.ran()).toEqual(['web']);
  }, 120_000);

  it('a worker stopped (SIGTERM) while one job of a command runs and another waits for it leaves both to the next worker: each runs once and ends ok, nothing ends failed', async () => {
    const w = await world({ mysql: true });
    const hold = await w.start('/restart hold');
    await until(async () => (await w.agent.runStatus('a1', hold)).state === 'running', { timeoutMs: 30_000 });
    // Taken by the worker (running in the queue) but not on the agent: it waits for hold.
    const next = await w.start('/restart next');
    await until(async () => (await w.queue.get(next))?.state === 'running', { timeoutMs: 30_000 });
    expect((await w.agent.runStatus('a1', next)).state).toBe('unknown');

    await w.worker();
    w.first.kill('SIGTERM');
    await once(w.first, 'exit');
    // The stopped worker failed neither job: it left both.
    expect(w.first.output()).toContain('"msg":"stopped"');
    expect(w.first.output()).not.toMatch(/"outcome":"failed"/);
    await w.open();
    const [a, b] = [await w.ended(hold), await w.ended(next)];
    expect([a.state, a.result, b.state, b.result]).toEqual(['finished', expect.objectContaining({ ok: true, exitCode: 0 }), 'finished', expect.objectContaining({ ok: true, exitCode: 0 })]);
    expect(await w.ran()).toEqual(['hold', 'next']);
    // The durable record keeps a job's first end: the stopped worker recorded none, the next one "ok" for each.
    const jobLog = w.app.services.jobLog!;
    await until(async () => (await jobLog.get(hold))?.endedAt !== undefined && (await jobLog.get(next))?.endedAt !== undefined, { timeoutMs: 30_000 });
    expect([(await jobLog.get(hold))?.outcome, (await jobLog.get(next))?.outcome]).toEqual(['ok', 'ok']);
  }, 120_000);
});
