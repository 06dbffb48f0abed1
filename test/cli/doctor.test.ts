import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/cli/doctor.js';
import { runRegister } from '../../src/cli/register.js';
import { agentFixture, freePort } from '../helpers/agent-fixture.js';
import { DiscordDouble } from '../helpers/discord-double.js';
import { IDS } from '../helpers/discord-payloads.js';
import { createTestDatabase } from '../helpers/mysql.js';
import { REDIS_URL } from '../helpers/redis.js';
import { SlackDouble } from '../helpers/slack-double.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function doctor(config: unknown, dir: string, timeoutMs = 5000): Promise<{ code: number; lines: string[] }> {
  const path = join(dir, `doctor-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(path, JSON.stringify(config));
  let out = '';
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      out += c.toString();
      cb();
    },
  });
  const code = await runDoctor(path, { out: sink, timeoutMs });
  return { code, lines: out.trimEnd().split('\n') };
}

/** `ok   agent a1    detail` → `ok agent a1`. */
function head(line: string): string {
  const m = /^(ok|FAIL)\s+(.+?)(\s{2,}|$)/.exec(line);
  return m ? `${m[1]} ${m[2]}` : line;
}

describe('opsline doctor', () => {
  it('checks every dependency the config names, one line each', async () => {
    const db = await createTestDatabase({ tasks: 'classic' });
    cleanups.push(() => db.drop());
    const slack = await new SlackDouble().start();
    cleanups.push(() => slack.stop());
    const discord = await new DiscordDouble().start();
    cleanups.push(() => discord.stop());
    const f = await agentFixture(['d1']);
    cleanups.push(() => f.cleanup());
    const agent = await f.start();
    await mkdir(join(f.root, 'spare-state'));
    const good = {
      log: { level: 'silent' },
      mysql: { url: db.appUrl() },
      status: { table: 'tasks', statusColumn: 'task_status' },
      redis: { url: REDIS_URL },
      agents: [{ name: 'a1', endpoint: agent.endpoint, serverKey: f.serverKeys.publicKey, heartbeatMs: 200 }],
      clientKeys: { public: f.clientKeys.publicKey, secret: f.clientKeys.secretKey },
      slack: { signingSecret: 'secret', botToken: 'xoxb-doctor', apiUrl: slack.apiUrl },
      discord: { token: discord.botToken, applicationId: IDS.bot, apiUrl: discord.apiUrl },
      agent: {
        bind: 'tcp://127.0.0.1:1',
        keys: { public: f.serverKeys.publicKey, secret: f.serverKeys.secretKey },
        allowedClients: [f.clientKeys.publicKey],
        imagesDir: f.imagesDir,
        stateDir: join(f.root, 'spare-state'),
        drives: f.drives,
      },
    };
    await db.sql("INSERT INTO tasks (task_title, task_status) VALUES ('a', 'Success')");
    // Discord shows what was registered: this config's commands, so the 'discord commands' line passes.
    const registered = join(f.root, 'register.yaml');
    await writeFile(registered, JSON.stringify(good));
    expect(await runRegister({ platform: 'discord', configFlag: registered, out: new PassThrough(), err: new PassThrough() })).toBe(0);
    // Without the index the refreshes need, doctor says which one and fails (issue 28).
    const noIndex = await doctor(good, f.root);
    expect(noIndex.code).toBe(1);
    expect(noIndex.lines.filter((l) => l.startsWith('FAIL'))).toEqual([
      'FAIL status index      tasks needs an index on (task_status), or every refresh reads the whole table; as a user who may: CREATE INDEX `opsline_status_task_status` ON `tasks` (`task_status`)',
    ]);
    await db.sql('CREATE INDEX `opsline_status_task_status` ON `tasks` (`task_status`)');
    const ok = await doctor(good, f.root);
    expect(ok.code).toBe(0);
    expect(ok.lines.map((l) => head(l))).toEqual([
      'ok config',
      'ok mysql',
      'ok status table',
      'ok status index',
      'ok redis',
      'ok agent a1',
      'ok slack',
      'ok discord',
      'ok xorriso',
      'ok images dir',
      'ok state dir',
      'ok drive d1',
      'ok discord commands',
    ]);
    expect(ok.lines[1]).toContain(`${db.appUser}@`);
    expect(ok.lines[1]).toContain('0 notes, 0 audit rows');
    expect(ok.lines[2]).toContain('tasks: 1 row');
    expect(ok.lines[3]).toContain('tasks has opsline_status_task_status on (task_status)');
    expect(ok.lines[5]).toContain('drives d1');
    expect(ok.lines[6]).toContain('team T1, bot user UBOT');
    expect(ok.lines[7]).toContain(`bot token works: opsline (${IDS.bot}) (gateway mode)`);

    const bad = await doctor(
      {
        ...good,
        mysql: { url: `mysql://${db.appUser}:wrong@127.0.0.1:3306/${db.name}`, timeoutMs: 1000 },
        status: { table: 'nope', statusColumn: 'x' },
        redis: { url: 'redis://127.0.0.1:1' },
        agents: [{ ...good.agents[0]!, endpoint: 'tcp://127.0.0.1:1', requestTimeoutMs: 500 }],
        slack: { ...good.slack, apiUrl: 'http://127.0.0.1:1/api/' },
        discord: { ...good.discord, token: 'wrong-token' },
        agent: { ...good.agent, imagesDir: join(f.root, 'missing') },
      },
      f.root,
    );
    expect(bad.code).toBe(1);
    const fails = bad.lines.filter((l) => l.startsWith('FAIL')).map((l) => head(l));
    expect(fails).toEqual(['FAIL mysql', 'FAIL status table', 'FAIL status index', 'FAIL redis', 'FAIL agent a1', 'FAIL slack', 'FAIL discord', 'FAIL images dir', 'FAIL discord commands']);
    expect(bad.lines.find((l) => l.startsWith('FAIL mysql'))).toMatch(/Access denied|denied/i);
    expect(bad.lines.find((l) => l.startsWith('FAIL redis'))).toMatch(/ECONNREFUSED 127\.0\.0\.1:1$/);
    expect(bad.lines.find((l) => l.startsWith('FAIL agent a1'))).toMatch(/tcp:\/\/127\.0\.0\.1:1: .*not reachable/);
  }, 60_000);

  it('names the endpoint and the likely fix when an agent never answers, and accepts a state dir the agent will create', async () => {
    const f = await agentFixture(['d1']);
    cleanups.push(() => f.cleanup());
    // Nothing listens there: the connection never completes, so only the doctor's own time limit ends the check.
    const endpoint = `tcp://127.0.0.1:${await freePort()}`;
    const r = await doctor(
      {
        log: { level: 'silent' },
        redis: { url: REDIS_URL },
        agents: [{ name: 'far', endpoint, serverKey: f.serverKeys.publicKey }],
        clientKeys: { public: f.clientKeys.publicKey, secret: f.clientKeys.secretKey },
        agent: {
          bind: 'tcp://127.0.0.1:1',
          keys: { public: f.serverKeys.publicKey, secret: f.serverKeys.secretKey },
          allowedClients: [f.clientKeys.publicKey],
          imagesDir: f.imagesDir,
          stateDir: join(f.root, 'not-yet', 'state'),
          drives: f.drives,
        },
      },
      f.root,
      1000,
    );
    expect(r.code).toBe(1);
    expect(r.lines.filter((l) => l.startsWith('FAIL')).map((l) => head(l))).toEqual(['FAIL agent far']);
    const line = r.lines.find((l) => l.startsWith('FAIL agent far'))!;
    expect(line).toContain(`${endpoint}: no answer within 1000 ms; is \`opsline agent\` running there`);
    expect(line).toContain('agents[far].serverKey');
    expect(r.lines.find((l) => head(l) === 'ok state dir')).toContain(`the agent creates it in ${f.root}, which is writable`);
  }, 30_000);

  it('says when the config names nothing to check', async () => {
    const f = await agentFixture([]);
    cleanups.push(() => f.cleanup());
    const r = await doctor({ log: { level: 'silent' } }, f.root);
    expect(r.code).toBe(0);
    expect(r.lines.at(-1)).toBe('(the config names no dependencies to check)');
  });
});
