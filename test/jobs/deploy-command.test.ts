import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { deployProcessor } from '../../src/jobs/deploy.js';
import { MemoryBurnQueue } from '../../src/services/queue/memory.js';
import { agentFixture, type AgentFixture } from '../helpers/agent-fixture.js';
import { TestAdapter, texts, users } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';

const DEP = 'console:dee';
const DEP2 = 'console:dan';
const ADMIN = 'console:ada';
const VIEW = 'console:vic';
const OPS = 'console:ole';
let f: AgentFixture;
let bot: TestAdapter;
let marker: string;
let gate: string;
let clock = Date.now();

beforeAll(async () => {
  f = await agentFixture([]);
  marker = join(f.root, 'ran');
  gate = join(f.root, 'release-slow');
  const script = join(f.root, 'deploy.mjs');
  await writeFile(
    script,
    // A deploy of ref "slow" runs until the test releases it (the gate file appears) or cancels it.
    `import { appendFileSync, existsSync } from 'node:fs';\nappendFileSync(${JSON.stringify(marker)}, process.argv[2] + '\\n');\nfor (let i = 1; i <= 25; i++) console.log('line ' + i);\nif (process.env.OPSLINE_REF === 'slow') await new Promise((r) => { const t = setInterval(() => existsSync(${JSON.stringify(gate)}) && (clearInterval(t), r()), 20); });\nprocess.exit(3);\n`,
  );
  await f.start({ commands: { app: { argv: [process.execPath, script, '{ref}'], refPattern: '^[A-Za-z0-9._/-]{1,100}$', timeoutSec: 30 } } });
  bot = await TestAdapter.create({
    config: {
      access: { users: users({ [DEP]: ['deployer'], [DEP2]: ['deployer'], [ADMIN]: ['admin'], [VIEW]: ['viewer'], [OPS]: ['operator'] }) },
      deploy: {
        targets: [
          { name: 'app', kind: 'command', agent: 'a1', command: 'app' },
          { name: 'guarded', kind: 'command', agent: 'a1', command: 'app', confirm: true, defaultRef: 'main' },
          { name: 'ops-only', kind: 'command', agent: 'a1', command: 'app', roles: ['operator'] },
        ],
      },
    },
    burns: { devices: f.client(), queue: new MemoryBurnQueue() },
    now: () => new Date(clock),
  });
});
afterAll(async () => {
  await bot.app.stop();
  await f.cleanup();
});

const mark = () => bot.transport.messages.length;
const since = (n: number) => bot.transport.messages.slice(n);
const finished = (n: number, who = 'dee') => () => since(n).some((m) => m.kind === 'reply' && m.text.startsWith(`@${who} `));
const ran = async () => (await readFile(marker, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);

describe('/deploy of a command target through a real agent', () => {
  it('runs the script, tails 20 lines live, posts the log and reports exit 3', async () => {
    const n = mark();
    const r = await bot.text(DEP, '/deploy app v2.0');
    const id = /job (d[a-z0-9]{6})/.exec(r)![1];
    await until(finished(n));
    const thread = since(n);
    expect(texts(thread)[0]).toBe(`deploying app at v2.0 for @dee (job ${id})`);
    expect(texts(thread)).toContain('running: app v2.0 on a1 (the command is defined on the agent host)');
    const tails = thread.filter((m) => m.kind === 'edit' && m.text.startsWith('running ·'));
    // Edited live at least once (else the bound below checks nothing); 25 lines of output, 20 shown under the header.
    expect(tails.length).toBeGreaterThan(0);
    for (const t of tails) expect(t.text.split('\n').length).toBeLessThanOrEqual(21);
    const log = texts(thread).filter((t) => t.startsWith('log '));
    expect(log.join('\n')).toContain('line 1\nline 2');
    expect(log.join('\n')).toContain('line 25');
    expect(thread.filter((m) => m.kind === 'edit').at(-1)?.text).toMatch(/^✘ exit 3 · 0:0\d$/);
    expect(texts(thread).at(-1)).toMatch(/^@dee deploy of app v2\.0 failed: app exited 3 \(exit 3, 0:0\d\)$/);
    expect(await ran()).toEqual(['v2.0']);
    expect(await bot.text(VIEW, '/deploy list')).toMatch(/^app \(app on a1\): unlocked; last: v2\.0 by dee .* ✘ exit 3$/m);
  });

  it('re-attaches by job id when a worker runs the same job again: the command does not run twice', async () => {
    const n = mark();
    const id = /job (d[a-z0-9]{6})/.exec(await bot.text(DEP, '/deploy app again'))![1]!;
    await until(finished(n));
    const job = await bot.app.services.deploys!.job(id);
    const processor = deployProcessor({ service: bot.app.services.deploys!, devices: f.client(), masked: [], transports: bot.app.transports, log: pino({ level: 'silent' }) });
    await expect(processor(id, job.data, () => undefined)).rejects.toThrow(/exited 3/);
    expect((await ran()).filter((r) => r === 'again')).toHaveLength(1);
  });

  it('refuses injection attempts and oversized refs before anything is queued', async () => {
    const before = { msgs: mark(), ran: (await ran()).length, audit: bot.audit.records.length };
    for (const ref of ['"; rm -rf /"', '$(id)', '`id`', 'main;id', '../../etc/passwd;x', 'a'.repeat(101)]) {
      const r = await bot.say(DEP, `/deploy app ${ref}`);
      expect(r[0]).toMatchObject({ code: 'bad_input', text: expect.stringMatching(/^ref .* is not allowed for app/) });
    }
    // A newline splits the words (too many arguments); quoted, it reaches the ref check.
    expect((await bot.say(DEP, '/deploy app main\nid'))[0]?.code).toBe('usage');
    expect((await bot.say(DEP, '/deploy app "main\nid"'))[0]?.code).toBe('bad_input');
    expect((await bot.say(DEP, `/deploy app ${'x'.repeat(1024 * 1024)}`))[0]).toMatchObject({ code: 'bad_input', text: expect.stringMatching(/^input too long/) });
    expect(bot.transport.messages.length).toBe(before.msgs);
    expect(await bot.app.services.deploys!.queue.list()).toEqual([]);
    expect((await ran()).length).toBe(before.ran);
    expect(await bot.app.services.deploys!.store.holder('app')).toBeUndefined();
    expect(bot.audit.records.length).toBe(before.audit + 9);
  });

  it('refuses a second deploy while one runs, naming the holder; releases the lock at the end', async () => {
    const n = mark();
    const [a, b] = await Promise.all([bot.say(DEP, '/deploy app slow'), bot.say(DEP2, '/deploy app slow')]);
    const replies = [a![0]!, b![0]!];
    expect(replies.filter((r) => r.code === undefined)).toHaveLength(1);
    const refused = replies.find((r) => r.code === 'conflict')!;
    expect(refused.text).toMatch(/^app is locked by (dee|dan) \(console:(dee|dan)\) since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: deploy d[a-z0-9]{6}$/);
    await writeFile(gate, '');
    await until(() => since(n).some((m) => /^@(dee|dan) deploy of app slow/.test(m.text)));
    await until(async () => (await bot.app.services.deploys!.store.holder('app')) === undefined);
    await rm(gate);
  });

  it('cancels a running command deploy: the thread says so and the lock is freed', async () => {
    const n = mark();
    const id = /job (d[a-z0-9]{6})/.exec(await bot.text(DEP, '/deploy app slow'))![1]!;
    await until(async () => (await bot.app.services.deploys!.job(id)).state === 'running' && since(n).some((m) => m.text.startsWith('running ·')));
    expect(await bot.text(DEP2, `/deploy cancel ${id}`)).toBe(`cancelling deploy job ${id} on a1; the thread shows when it has stopped and app is unlocked then`);
    await until(finished(n));
    expect(texts(since(n)).at(-1)).toMatch(/^@dee deploy of app slow was cancelled \(0:0\d\)$/);
    expect(await bot.app.services.deploys!.store.holder('app')).toBeUndefined();
    expect(await bot.text(DEP2, `/deploy cancel ${id}`)).toBe(`deploy job ${id} has already finished`);
    expect(await bot.text(DEP2, '/deploy cancel dzzzzzz')).toBe('no deploy job dzzzzzz');
  });

  it('lets only the holder or an admin unlock a manual lock', async () => {
    expect(await bot.text(DEP, '/deploy lock app release freeze')).toBe('app is locked by you ("release freeze"); /deploy unlock app frees it');
    expect(await bot.text(DEP2, '/deploy app main')).toMatch(/^app is locked by dee \(console:dee\) since .* UTC: "release freeze"$/);
    expect(await bot.text(DEP2, '/deploy unlock app')).toMatch(/only they or an admin may unlock it$/);
    expect(await bot.text(DEP2, '/deploy lock app mine')).toMatch(/^app is already locked by dee/);
    expect(await bot.text(VIEW, '/deploy list')).toMatch(/^app \(app on a1\): 🔒 locked by dee .*"release freeze"/m);
    expect(await bot.text(ADMIN, '/deploy unlock app')).toBe('app is unlocked (it was held by dee)');
    expect(await bot.text(DEP, '/deploy unlock app')).toBe('app is not locked');
    expect(await bot.text(VIEW, '/deploy lock app x')).toMatch(/^\/deploy lock needs the deployer or operator role/);
  });

  it('a target\'s roles replace deployer for it: an operator may deploy it, a deployer may not', async () => {
    expect(await bot.text(DEP, '/deploy ops-only main')).toBe('deploying ops-only needs the operator or admin role (ops-only names its own roles, which replace deployer); your key is console:dee');
    expect(bot.audit.records.at(-1)).toMatchObject({ principalKey: DEP, command: 'deploy run', errorCode: 'denied' });
    const before = (await ran()).length;
    const n = mark();
    expect(await bot.text(OPS, '/deploy ops-only opsref')).toMatch(/^deploy job d[a-z0-9]{6} of ops-only at opsref queued/);
    await until(finished(n, 'ole'));
    expect((await ran()).slice(before)).toEqual(['opsref']);
    // Without roles of its own a target still needs deployer, and the operator may not lock it either.
    expect(await bot.text(OPS, '/deploy app main')).toBe('deploying app needs the deployer or admin role; your key is console:ole');
    expect(await bot.text(OPS, '/deploy lock app x')).toBe('locking app needs the deployer or admin role; your key is console:ole');
    expect(await bot.text(OPS, '/help deploy')).toContain('needs deployer, or the target\'s own roles');
    // A viewer is refused before parsing, naming every role that can deploy something.
    expect(await bot.text(VIEW, '/deploy ops-only main')).toBe('/deploy needs the deployer or operator role; your key is console:vic (an admin can grant it)');
  });

  it('asks to confirm; a confirmation by someone else or after 60 s runs nothing', async () => {
    const before = (await ran()).length;
    const [ask] = await bot.say(DEP, '/deploy guarded');
    expect(ask).toMatchObject({ text: expect.stringMatching(/^deploy guarded at main\?\nConfirm within 60 s: \/confirm [A-Z2-9]{6}$/), confirm: { expiresInSec: 60 } });
    const code = ask!.confirm!.code;
    expect(bot.audit.records.at(-1)).toMatchObject({ command: 'deploy run', decision: 'allow', outcome: 'pending' });
    expect(await bot.text(DEP2, `/confirm ${code}`)).toBe(`confirmation ${code} belongs to dee; only they can confirm it. Nothing was run`);
    expect(bot.audit.records.at(-1)).toMatchObject({ command: 'confirm', principalKey: DEP2, outcome: 'error', errorCode: 'denied' });
    clock += 61_000;
    expect(await bot.text(DEP, `/confirm ${code}`)).toBe(`confirmation ${code} has expired; nothing was run. Ask again`);
    expect(await bot.text(DEP, `/confirm ${code}`)).toMatch(/^no request is waiting for confirmation/);
    expect((await ran()).length).toBe(before);
    expect(await bot.app.services.deploys!.queue.list()).toEqual([]);

    const [again] = await bot.say(DEP, '/deploy guarded');
    const n = mark();
    expect(await bot.text(DEP, `/confirm ${again!.confirm!.code.toLowerCase()}`)).toMatch(/^deploy job d[a-z0-9]{6} of guarded at main queued/);
    expect(bot.audit.records.at(-1)).toMatchObject({ command: 'confirm', principalKey: DEP, outcome: 'ok', jobId: expect.stringMatching(/^d/) });
    await until(finished(n));
    expect((await ran()).length).toBe(before + 1);
  });
});
