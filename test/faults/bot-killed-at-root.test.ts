import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UNQUEUED_TEXT } from '../../src/jobs/unqueued.js';
import { startBotChild, type BotChild } from '../helpers/bot-child.js';
import { REDIS_URL } from '../helpers/redis.js';
import { signedPost, slashBody } from '../helpers/slack-request.js';
import { until } from '../helpers/until.js';
import { faultWorld } from '../helpers/fault-world.js';

const SECRET = 'killed-at-root-secret';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/**
 * Issue 28 item 5, "no thread without its job" (docs/hosting.md, "What a SIGKILL loses"): a replica
 * SIGKILLed while Slack takes its job thread's root, or the status reply under it, never learns the
 * root's id; before, nothing recorded the job and its thread stayed at "queued" for ever. Now the job's
 * opening is written before the root is posted, and the other replica tells the channel, naming the job.
 */
describe('fault: a bot replica killed while its job thread is being posted', () => {
  it.each([
    ['the root', (b: Record<string, unknown>) => /^deploying /.test(String(b.text)) && b.thread_ts === undefined],
    ['the status reply under the root', (b: Record<string, unknown>) => b.text === 'queued' && b.thread_ts !== undefined],
  ])('killed while Slack takes %s: the other replica tells the channel once, and nothing runs', async (_what, isTheCall) => {
    const { db, redis, slack, hooks, dir } = await faultWorld(cleanups, 'root-kill');
    const configPath = join(dir, 'opsline.yaml');
    await writeFile(
      configPath,
      JSON.stringify({
        log: { level: 'info' },
        http: { port: 0, host: '127.0.0.1' },
        slack: { signingSecret: SECRET, botToken: 'xoxb-test', apiUrl: slack.apiUrl },
        mysql: { url: db.appUrl() },
        redis: { url: REDIS_URL, prefix: redis.prefix },
        jobs: { lockDurationMs: 2000, stalledIntervalMs: 500 },
        access: { users: [{ key: 'slack:T1:UDEP', name: 'dee', roles: ['deployer'] }] },
        deploy: { targets: [{ name: 'site', kind: 'webhook', url: hooks.url('/ok'), body: '{"ref":"{ref}"}' }] },
      }),
    );
    const bots: BotChild[] = [await startBotChild(configPath, 60_000), await startBotChild(configPath, 60_000)];
    for (const b of bots) cleanups.push(() => b.stop('SIGKILL'));
    const [doomed, survivor] = bots as [BotChild, BotChild];

    // Slack takes the call (it is posted), but the replica that made it is dead before the answer comes.
    slack.hold('chat.postMessage', async (body) => {
      if (!isTheCall(body)) return;
      slack.release('chat.postMessage');
      await doomed.stop('SIGKILL');
    });
    const body = slashBody({ command: '/deploy', text: 'site v7', user_id: 'UDEP', user_name: 'dee', channel_id: 'C7', response_url: hooks.url('/respond/7') });
    // The request dies with its replica (Slack does not redeliver a slash command).
    await fetch(`${doomed.base}/slack/events`, signedPost(body, SECRET)).catch(() => undefined);

    const root = await until(() => slack.callsOf('chat.postMessage').find((c) => /^deploying site at v7 for <@UDEP> \(job (d[a-z0-9]{6})\)/.test(String(c.body.text))), { what: 'the root posted' });
    const job = /\(job (d[a-z0-9]{6})\)/.exec(String(root.body.text))![1]!;
    const told = `<@UDEP> deploy of site v7 (job ${job}): ${UNQUEUED_TEXT}`;
    const inChannel = () => slack.callsOf('chat.postMessage').filter((c) => c.body.channel === 'C7' && c.body.thread_ts === undefined && c.body.text === told);
    // The survivor's sweep finds the opening once it has not been refreshed for unqueuedAfterMs (10 s at least).
    await until(() => inChannel().length > 0, { timeoutMs: 30_000, what: () => `the channel told; survivor said:\n${survivor.output().split('\n').filter((l) => l.includes(job)).join('\n')}` });

    // Told once; nothing ran and nothing holds the target.
    const list = slashBody({ command: '/deploy', text: 'list', user_id: 'UDEP', user_name: 'dee', channel_id: 'C8', response_url: hooks.url('/respond/8') });
    const answer = (await (await fetch(`${survivor.base}/slack/events`, signedPost(list, SECRET))).json()) as { text?: string };
    expect(answer.text).toMatch(/^site \(webhook\): unlocked/m);
    expect(inChannel()).toHaveLength(1);
    expect(hooks.requests.filter((r) => r.path === '/ok')).toEqual([]);
    // Nothing else was said in the channel or in the thread after the kill (the survivor's sweep said it all).
    const inThread = slack.callsOf('chat.postMessage').filter((c) => c.body.thread_ts === root.response?.ts && c.body.text !== 'queued');
    expect(inThread).toEqual([]);
  }, 120_000);
});
