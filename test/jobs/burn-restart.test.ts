import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackTransport } from '../../src/adapters/slack/client.js';
import { buildConfig } from '../../src/config/load.js';
import { duration } from '../../src/jobs/progress.js';
import { buildApp } from '../../src/app/main.js';
import { startCli } from '../helpers/cli-child.js';
import { REDIS_URL } from '../helpers/redis.js';
import { slowBurnSetup } from '../helpers/slow-burn.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

describe('a worker stopped mid-burn', () => {
  it('with SIGKILL, is replaced by one that re-attaches: xorriso runs once and the same Slack thread gets the result', async () => {
    await restartMidBurn('SIGKILL');
  }, 150_000);

  it('with SIGTERM, says nothing in the thread and leaves the burn to the next worker', async () => {
    await restartMidBurn('SIGTERM');
  }, 150_000);
});

async function restartMidBurn(signal: NodeJS.Signals): Promise<void> {
  {
    // ~18 s at 200k: longer than a replacement worker takes to start on a loaded machine.
    const { slack, f, endpoint, redisPrefix: prefix, burns } = await slowBurnSetup(cleanups, '200k');
    const raw = {
      log: { level: 'info' as const },
      slack: { signingSecret: 'secret-0123456789', botToken: 'xoxb-test', apiUrl: slack.apiUrl, editIntervalMs: 300 },
      agents: [{ name: 'a1', endpoint, serverKey: f.serverKeys.publicKey, heartbeatMs: 200 }],
      clientKeys: { public: f.clientKeys.publicKey, secret: f.clientKeys.secretKey },
      redis: { url: REDIS_URL, prefix },
      jobs: { lockDurationMs: 2000, stalledIntervalMs: 500 },
      access: { users: [{ key: 'slack:T1:UOP', roles: ['operator' as const] }] },
    };
    const configPath = join(f.root, 'bot.yaml');
    await writeFile(configPath, JSON.stringify(raw));
    const worker = () => startCli(['--config', configPath, 'worker'], 'opsline worker started');
    const first = await worker();
    cleanups.push(async () => void first.kill('SIGKILL'));

    // The bot side: the real dispatcher, threads in the Slack double; no workers in this process.
    const config = buildConfig({ ...raw, log: { level: 'silent' } });
    const log = pino({ level: 'silent' });
    const app = await buildApp(config, { log });
    cleanups.push(() => app.stop());
    const transport = createSlackTransport(config.slack!, log, [], app.budget);
    app.transports.add(transport);
    const op = { key: 'slack:T1:UOP', name: 'olga' };
    const reply = await app.dispatcher.dispatch(
      { id: 'inv-1', platform: 'slack', principal: op, room: 'C1', command: 'burn', text: 'release.iso', receivedAt: new Date() },
      transport.starter(op, 'C1'),
    );
    expect(reply.text).toMatch(/^burn job b[a-z0-9]{6} queued on a1\/d1 \(starting now\)/);
    const root = slack.callsOf('chat.postMessage')[0]!;
    const rootTs = root.response?.ts as string;
    expect(root.body.text).toMatch(/^burning release\.iso on d1 for <@UOP> \(job b[a-z0-9]{6}\)$/);

    // Writing, and its milestone posted: a SIGKILL loses what the worker had not sent yet.
    await slack.waitFor(() => slack.callsOf('chat.update').some((c) => String(c.body.text).startsWith('writing')) && slack.callsOf('chat.postMessage').some((c) => c.body.text === 'writing release.iso to d1'), 15_000);
    // The replacement is up before the first one goes: on a loaded machine its start-up alone can
    // outlast the burn, and then there is nothing left to re-attach to. It stays idle until the job's lock lapses.
    const second = await worker();
    cleanups.push(async () => void second.kill('SIGKILL'));
    first.kill(signal);
    if (signal === 'SIGTERM') expect((await once(first, 'exit'))[0]).toBe(0);

    const final = await slack.waitFor(
      () => slack.callsOf('chat.postMessage').find((c) => String(c.body.text).startsWith('<@UOP> ')),
      80_000,
    );
    expect(final.body.text).toBe('<@UOP> burn of release.iso on d1 finished ✔ (verified)');
    const thread = slack.callsOf('chat.postMessage').slice(1);
    expect(thread.every((c) => c.body.thread_ts === rootTs)).toBe(true);
    const texts = thread.map((c) => String(c.body.text));
    expect(texts).toContain('re-attached to the running burn (the previous worker stopped)');
    expect(texts.filter((t) => t === 'writing release.iso to d1')).toHaveLength(1);
    expect(texts.filter((t) => /failed|lost track|✘/.test(t))).toEqual([]);
    expect(await burns()).toBe(1);
    // The duration is the agent's (started → finished), not the time since this worker re-attached.
    const jobId = /job (b[a-z0-9]{6})/.exec(reply.text)![1]!;
    const st = await f.client(endpoint).status('a1', jobId);
    if (st.state !== 'finished') throw new Error(`job ${jobId} is ${st.state}`);
    const seconds = (Date.parse(st.result.finishedAt) - Date.parse(st.result.startedAt)) / 1000;
    const doneStatus = slack.callsOf('chat.update').map((c) => String(c.body.text)).filter((t) => t.startsWith('✔ done in'));
    expect(doneStatus).toEqual([`✔ done in ${duration(seconds)}`]);
  }
}
