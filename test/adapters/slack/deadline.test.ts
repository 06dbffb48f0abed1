import { afterEach, describe, expect, it } from 'vitest';
import { defineCommand } from '../../../src/core/define-command.js';
import { reply } from '../../../src/core/reply.js';
import { startSlackBot, type SlackBot } from '../../helpers/slack-bot.js';
import { testJob } from '../../helpers/slack-test-job.js';

let answer!: () => void;
const slow = defineCommand({
  name: 'slow',
  description: 'answers when the test says so',
  usage: '/slow',
  examples: [],
  roles: ['viewer'],
  sideEffects: false,
  async handler() {
    await new Promise<void>((resolve) => (answer = resolve));
    return reply('slow answer', { visibility: 'channel' });
  },
});

describe('slack ack deadline', () => {
  let bot: SlackBot | undefined;
  afterEach(async () => bot?.stop());

  it('acks a slow command at once and answers through response_url', async () => {
    bot = await startSlackBot({ ackBudgetMs: 100, extra: [slow] });
    // The answer exists only once the test releases it, after the ack: only the ack budget can have acked.
    const r = await bot.command('/slow');
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    answer();
    const late = await bot.slack.waitFor(() => bot!.slack.callsOf('response_url')[0]);
    expect(late.body).toEqual({ text: 'slow answer', response_type: 'in_channel' });
  });

  it('acks a job whose root post is rate limited, and reports its start through response_url', async () => {
    const job = testJob({ steps: 2, stepMs: 10 });
    bot = await startSlackBot({ ackBudgetMs: 150, editIntervalMs: 50, extra: [job.command] });
    // Every root post is refused until the test lifts the limit, after the ack: only the ack budget can have acked.
    bot.slack.rateLimit('chat.postMessage', 1_000_000, 1);
    const r = await bot.command('/testjob');
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    bot.slack.rateLimit('chat.postMessage', 0, 1);
    const late = await bot.slack.waitFor(() => bot!.slack.callsOf('response_url')[0], 5_000);
    expect(late.body).toEqual({ text: 'started test job job-1', response_type: 'ephemeral' });
    await job.runs[0];
    expect(bot.slack.callsOf('chat.postMessage')[0]?.body.text).toBe('Test job job-1 for alice');
  }, 15_000);
});
