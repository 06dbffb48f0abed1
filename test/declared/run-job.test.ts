import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployProcessor } from '../../src/jobs/deploy.js';
import { MemoryBurnQueue } from '../../src/services/queue/memory.js';
import { agentFixture, type AgentFixture } from '../helpers/agent-fixture.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { TestAdapter, texts, users } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';

const OPS = 'console:olga';
const DEP = 'console:dora';
const redis = redisPrefix();
let f: AgentFixture;
let bot: TestAdapter;
let marker: string;
let gate: string;

beforeAll(async () => {
  f = await agentFixture([]);
  marker = join(f.root, 'ran');
  gate = join(f.root, 'gate');
  await writeFile(marker, '');
  const script = join(f.root, 'restart.mjs');
  // Records each run, prints 25 lines; services "slow" and "hold" wait for their gate file (or a cancel); exits 2 for "bad".
  await writeFile(
    script,
    `import { appendFileSync, existsSync } from 'node:fs';\nconst s = process.argv[2];\nappendFileSync(${JSON.stringify(marker)}, s + '\\n');\nfor (let i = 1; i <= 25; i++) console.log('restarting ' + s + ' step ' + i);\nif (s === 'slow' || s === 'hold') await new Promise((r) => { const t = setInterval(() => existsSync(${JSON.stringify(gate)} + '-' + s) && (clearInterval(t), r()), 20); });\nprocess.exit(s === 'bad' ? 2 : 0);\n`,
  );
  await f.start({
    commands: {
      restart: { argv: [process.execPath, script, '{service}'], refPattern: '^x$', timeoutSec: 30, args: { service: { pattern: '[a-z][a-z0-9-]{0,30}' } } },
      flush: { argv: [process.execPath, script, 'flush'], refPattern: '^x$', timeoutSec: 30 },
    },
  });
  bot = await TestAdapter.create({
    demo: false,
    config: {
      redis: { url: REDIS_URL, prefix: redis.prefix },
      access: { users: users({ [OPS]: ['operator'], [DEP]: ['deployer'] }) },
      // No deploy.targets: a run command in job form is enough for the bot to build the queue it runs on.
      commands: [
        { name: 'restart', description: 'Restart a service', kind: 'run', agent: 'a1', run: 'restart', args: [{ name: 'service', pattern: '^[a-z][a-z0-9-]{0,30}$' }], roles: ['operator'] },
        { name: 'flush', description: 'Flush the caches', kind: 'run', agent: 'a1', run: 'flush', roles: ['operator'] },
      ],
      // Two run jobs at once per worker: enough to show side by side, waiting, and a job left queued.
      jobs: { runConcurrency: 2 },
    },
    burns: { devices: f.client(), queue: new MemoryBurnQueue() },
  });
});
afterAll(async () => {
  await bot?.app.stop();
  await f.cleanup();
  await redis.cleanup();
});

const mark = () => bot.transport.messages.length;
const since = (n: number) => bot.transport.messages.slice(n);
const finished = (n: number) => () => since(n).some((m) => m.kind === 'reply' && m.text.startsWith('@olga '));
const ran = async () => (await readFile(marker, 'utf8')).split('\n').filter(Boolean);

describe('a declared run command as a BullMQ job against a real agent over CURVE', () => {
  it('runs in a thread: live status, the full log in chunks, exit code and duration', async () => {
    const n = mark();
    const r = await bot.text(OPS, '/restart bad');
    const id = /job (r[a-z0-9]{6})/.exec(r)![1]!;
    await until(finished(n));
    const thread = texts(since(n));
    expect(thread[0]).toBe(`/restart service=bad on a1 for @olga (job ${id})`);
    expect(thread).toContain('running: restart service=bad on a1 (the command is defined on the agent host)');
    const log = thread.filter((t) => t.startsWith('log ')).join('\n');
    expect(log).toContain('restarting bad step 1\nrestarting bad step 2');
    expect(log).toContain('restarting bad step 25');
    expect(since(n).filter((m) => m.kind === 'edit').at(-1)?.text).toMatch(/^✘ exit 2 · 0:0\d$/);
    expect(thread.at(-1)).toMatch(/^@olga \/restart service=bad failed: restart exited 2 \(exit 2, 0:0\d\)$/);
    expect(bot.audit.records.filter((a) => a.command === 'restart' && a.jobId === id)).toHaveLength(1);
  });

  it('a worker that runs the same job again re-attaches through the agent ledger: the command ran once', async () => {
    const n = mark();
    const id = /job (r[a-z0-9]{6})/.exec(await bot.text(OPS, '/restart web'))![1]!;
    await until(finished(n));
    const job = await bot.app.services.deploys!.job(id);
    const processor = deployProcessor({ service: bot.app.services.deploys!, devices: f.client(), masked: [], transports: bot.app.transports, log: pino({ level: 'silent' }) });
    expect(await processor(id, job.data, () => undefined)).toMatchObject({ ok: true, exitCode: 0 });
    expect((await ran()).filter((s) => s === 'web')).toHaveLength(1);
  });

  it('runs jobs of two commands side by side; a second job of one command waits for the first, then runs once', async () => {
    const n = mark();
    const hold = /job (r[a-z0-9]{6})/.exec(await bot.text(OPS, '/restart hold'))![1]!;
    await until(() => since(n).some((m) => m.text.includes('restarting hold step 25')));
    // Another command on the same agent is not held up by it.
    await bot.text(OPS, '/flush');
    await until(() => texts(since(n)).some((t) => /^@olga \/flush finished ✔/.test(t)));
    // A second /restart is taken by the worker and waits for the agent's one run of restart at a time.
    const next = /job (r[a-z0-9]{6})/.exec(await bot.text(OPS, '/restart next'))![1]!;
    await until(() => since(n).some((m) => m.kind === 'edit' && m.text.includes(`waiting: restart is already running (job ${hold})`)));
    expect((await bot.app.services.deploys!.job(next)).state).toBe('running');
    expect(await ran()).not.toContain('next');
    await writeFile(`${gate}-hold`, '');
    await until(() => texts(since(n)).some((t) => /^@olga \/restart service=next finished ✔/.test(t)));
    const order = (await ran()).filter((s) => ['hold', 'flush', 'next'].includes(s));
    expect(order).toEqual(['hold', 'flush', 'next']);
    expect(texts(since(n)).filter((t) => t.startsWith('running: restart service=next'))).toHaveLength(1);
  });

  it('is cancelled with /deploy cancel by someone who may run it: stopped on the agent, the thread says so', async () => {
    const n = mark();
    const id = /job (r[a-z0-9]{6})/.exec(await bot.text(OPS, '/restart slow'))![1]!;
    await until(async () => (await bot.app.services.deploys!.job(id)).state === 'running' && since(n).some((m) => m.text.includes('restarting slow step')));
    // A deployer alone may not stop an operator's command, nor watch its output.
    expect(await bot.text(DEP, `/deploy cancel ${id}`)).toBe(`to cancel job ${id} you need what /restart needs: the operator role`);
    expect(await bot.text(DEP, `/deploy watch ${id}`)).toBe(`to watch job ${id} you need what /restart needs: the operator role`);
    // A second one is taken by the worker (two at once) and waits for the first: cancelled, it never starts.
    const waiting = /job (r[a-z0-9]{6})/.exec(await bot.text(OPS, '/restart soon'))![1]!;
    await until(() => since(n).some((m) => m.kind === 'edit' && m.text.includes(`waiting: restart is already running (job ${id})`)));
    // A third one stays queued on the run commands' lane: it is dropped before it starts, and its end recorded.
    const queued = /job (r[a-z0-9]{6})/.exec(await bot.text(OPS, '/restart later'))![1]!;
    expect((await bot.app.services.deploys!.job(queued)).state).toBe('queued');
    expect(await bot.text(OPS, `/deploy cancel ${queued}`)).toBe(`job ${queued} removed from the queue`);
    expect(await bot.text(OPS, `/deploy cancel ${waiting}`)).toBe(`job ${waiting} (/restart) had not reached a1 yet; it will not start (one that was starting just then is stopped at once), and the thread says so`);
    await until(() => texts(since(n)).some((t) => t.startsWith('@olga /restart service=soon was cancelled')));
    // Whoever started it cancels it with the command's own role alone: the deployer role is not needed.
    expect(await bot.text(OPS, `/deploy cancel ${id}`)).toBe(`cancelling job ${id} (/restart) on a1; the thread shows when it has stopped`);
    await until(() => texts(since(n)).filter((t) => t.startsWith('@olga ')).length === 3);
    expect(texts(since(n)).filter((t) => t.startsWith('@olga ')).sort()).toEqual([
      `@olga /restart cancelled by @olga before it started`,
      expect.stringMatching(/^@olga \/restart service=slow was cancelled/),
      '@olga /restart service=soon was cancelled (0:00)',
    ]);
    expect(await f.client().runStatus('a1', id)).toMatchObject({ state: 'finished', result: { outcome: 'cancelled' } });
    // Both ends are in the job record, as cancelled: the running one by its worker, the queued one by the cancel.
    const store = bot.app.services.jobLog!;
    await until(async () => (await store.get(id))?.endedAt !== undefined);
    expect([(await store.get(id))?.outcome, (await store.get(queued))?.outcome]).toEqual(['cancelled', 'cancelled']);
    expect(await store.get(queued)).toMatchObject({ kind: 'deploy', command: 'restart', summary: '/restart service=later', result: '/restart cancelled by olga before it started' });
    expect(await ran()).not.toContain('later');
    expect(await ran()).not.toContain('soon');
    expect(await f.client().runStatus('a1', waiting)).toMatchObject({ state: 'unknown' });
  });

  it('/deploy watch follows it', async () => {
    const n = mark();
    const id = /job (r[a-z0-9]{6})/.exec(await bot.text(OPS, '/restart api'))![1]!;
    await until(finished(n));
    expect(await bot.text(OPS, `/deploy watch ${id}`)).toMatch(new RegExp(id));
  });

  it('refuses a hostile value before anything is queued', async () => {
    const before = (await ran()).length;
    for (const v of ['-rf', '../x', 'a/../b']) {
      const [r] = await bot.say(OPS, `/restart ${v}`);
      expect(r?.code, v).toBe('bad_input');
      expect(r?.text, v).toMatch(/^service /);
    }
    expect((await ran()).length).toBe(before);
  });
});
