import { afterEach, describe, expect, it } from 'vitest';
import { LiveThread } from '../../../src/core/live-thread.js';
import { startSlackBot, type SlackBot } from '../../helpers/slack-bot.js';
import { testJob, type TestJob } from '../../helpers/slack-test-job.js';

describe('slack threads and live progress', () => {
  let bot: SlackBot | undefined;
  afterEach(async () => bot?.stop());

  async function start(editIntervalMs: number, steps: number, stepMs: number): Promise<{ bot: SlackBot; job: TestJob }> {
    const job = testJob({ steps, stepMs });
    bot = await startSlackBot({ editIntervalMs, extra: [job.command] });
    return { bot, job };
  }

  it('posts a root in the channel, a live status in its thread, milestones, and a final mention', async () => {
    // The 20 steps come back to back, far inside one 200 ms edit interval on any machine.
    const { bot, job } = await start(200, 20, 0);
    const r = await bot.command('/testjob');
    expect(r.json).toMatchObject({ response_type: 'ephemeral', text: 'started test job job-1' });
    await job.runs[0];

    const posts = bot.slack.callsOf('chat.postMessage');
    const [root, status, ...replies] = posts;
    expect(root?.body).toMatchObject({ channel: 'C1', text: 'Test job job-1 for alice' });
    expect(root?.body.thread_ts).toBeUndefined();
    const rootTs = root?.response?.ts;
    expect(rootTs).toMatch(/^\d{10}\.\d+$/);
    expect(status?.body).toMatchObject({ channel: 'C1', thread_ts: rootTs, text: 'queued' });
    expect(replies.map((p) => p.body.text)).toEqual(['halfway there', '<@UADMIN> test job job-1 finished']);
    expect(replies.every((p) => p.body.thread_ts === rootTs)).toBe(true);

    const updates = bot.slack.callsOf('chat.update');
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.every((u) => u.body.ts === status?.response?.ts && u.body.channel === 'C1')).toBe(true);
    expect(updates.at(-1)?.body.text).toBe('done: 20/20');
    // Edits to the one status message are coalesced, not 20 edits. How far apart they go is LiveThread's
    // interval, checked on a fake clock in test/core/live-thread.test.ts; here, that the adapter's is the configured one.
    expect(updates.length).toBeLessThanOrEqual(3);
    expect(bot.adapter.transport.editIntervalMs).toBe(200);
  });

  it('honours 429 Retry-After on an edit and still lands the final state', async () => {
    const { bot, job } = await start(100, 6, 30);
    bot.slack.rateLimit('chat.update', 1, 1);
    await bot.command('/testjob');
    await job.runs[0];
    const limited = bot.slack.calls.filter((c) => c.method === 'chat.update' && c.status === 429);
    expect(limited).toHaveLength(1);
    const updates = bot.slack.callsOf('chat.update');
    expect(updates[0]!.at - limited[0]!.at).toBeGreaterThanOrEqual(950);
    expect(updates.at(-1)?.body.text).toBe('done: 6/6');
    expect(bot.slack.callsOf('chat.postMessage').at(-1)?.body.text).toBe('<@UADMIN> test job job-1 finished');
  }, 15_000);

  it('lets another process reopen a thread from its serialisable ref', async () => {
    const { bot, job } = await start(50, 2, 10);
    await bot.command('/testjob');
    await job.runs[0];
    const [root, status] = bot.slack.callsOf('chat.postMessage');
    const ref = JSON.parse(
      JSON.stringify({
        platform: 'slack',
        channel: 'C1',
        rootId: root!.response!.ts,
        statusId: status!.response!.ts,
        requester: { key: 'slack:T1:UADMIN', name: 'alice' },
      }),
    );
    const transport = bot.app.transports.get('slack');
    expect(transport).toBeDefined();
    const thread = LiveThread.reopen(transport!, ref);
    await thread.finish('re-attached: done', 'checked again');
    expect(bot.slack.callsOf('chat.update').at(-1)?.body).toMatchObject({ ts: status!.response!.ts, text: 're-attached: done' });
    expect(bot.slack.callsOf('chat.postMessage').at(-1)?.body).toMatchObject({ thread_ts: root!.response!.ts, text: '<@UADMIN> checked again' });
  });
});
