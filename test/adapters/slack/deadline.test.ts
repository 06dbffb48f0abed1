import { afterEach, describe, expect, it } from 'vitest';
import { defineCommand } from '../../../src/core/define-command.js';
import { reply } from '../../../src/core/reply.js';
import { startSlackBot, type SlackBot } from '../../helpers/slack-bot.js';
import { testJob } from '../../helpers/slack-test-job.js';

const slow = defineCommand({
  name: 'slow',
  description: 'answers after 400 ms',
  usage: '/slow',
  examples: [],
  roles: ['viewer'],
  sideEffects: false,
  async handler() {
    await new Promise((r) => setTimeout(r, 400));
    return reply('slow answer', { visibility: 'channel' });
  },
});

describe('slack ack deadline', () => {
  let bot: SlackBot | undefined;
  afterEach(async () => bot?.stop());

  it('acks a slow command at once and answers through response_url', async () => {
    bot = await startSlackBot({ ackBudgetMs: 100, extra: [slow] });
    const r = await bot.command('/slow');
    expect(r.status).toBe(200);
    // Acked empty, before the 400 ms answer existed; well inside Slack's 3 s even on a loaded machine.
    expect(r.text).toBe('');
    expect(r.ms).toBeLessThan(3000);
    const late = await bot.slack.waitFor(() => bot!.slack.callsOf('response_url')[0]);
    expect(late.body).toEqual({ text: 'slow answer', response_type: 'in_channel' });
  });

  it('acks a job whose root post is rate limited, and reports its start through response_url', async () => {
    const job = testJob({ steps: 2, stepMs: 10 });
    bot = await startSlackBot({ ackBudgetMs: 150, editIntervalMs: 50, extra: [job.command] });
    bot.slack.rateLimit('chat.postMessage', 1, 1);
    const r = await bot.command('/testjob');
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    expect(r.ms).toBeLessThan(3000);
    const late = await bot.slack.waitFor(() => bot!.slack.callsOf('response_url')[0], 5_000);
    expect(late.body).toEqual({ text: 'started test job job-1', response_type: 'ephemeral' });
    await job.runs[0];
    expect(bot.slack.callsOf('chat.postMessage')[0]?.body.text).toBe('Test job job-1 for alice');
  }, 15_000);
});
