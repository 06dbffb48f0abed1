import { afterEach, describe, expect, it } from 'vitest';
import { defineCommand } from '../../../src/core/define-command.js';
import { reply } from '../../../src/core/reply.js';
import { gatedKeys } from '../../helpers/gated-keys.js';
import { SECRET, startSlackBot, type SlackBot } from '../../helpers/slack-bot.js';
import { postSigned } from '../../helpers/slack-request.js';
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

  it('acks from arrival while the trigger check waits for Redis, then answers through response_url', async () => {
    const seen = gatedKeys();
    bot = await startSlackBot({ ackBudgetMs: 100, seen });
    const r = await bot.command('/note add stored while redis was slow');
    // Answered while the check still waits: before, the ack waited for it (a 503 at 3 s, the note stored unannounced).
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    // One key per command: the trigger id covers a replay of the same bytes too (docs/slack.md, "Replays").
    expect(seen.asked).toBe(1);
    seen.open();
    const late = await bot.slack.waitFor(() => bot!.slack.callsOf('response_url')[0]);
    expect(late.body).toMatchObject({ text: expect.stringMatching(/^note #\d+ saved/) });
    expect((await bot.app.services.notes.list(5)).map((n) => n.body)).toContain('stored while redis was slow');
  });

  it('acks a Socket Mode command from arrival while its trigger check waits for Redis', async () => {
    const seen = gatedKeys();
    bot = await startSlackBot({ mode: 'socket', ackBudgetMs: 100, seen });
    const payload = { team_id: 'T1', channel_id: 'C7', user_id: 'UADMIN', user_name: 'alice', command: '/note', text: 'add via a slow socket', response_url: bot.slack.responseUrl('sock'), trigger_id: 'sock-slow-1' };
    const ack = await bot.slack.sendEnvelope('slash_commands', payload, 'env-slow-1');
    expect(ack.payload ?? {}).toEqual({});
    seen.open();
    const late = await bot.slack.waitFor(() => bot!.slack.callsOf('response_url')[0]);
    expect(late.body).toMatchObject({ text: expect.stringMatching(/^note #\d+ saved/) });
  });

  it('acks a button press before its replay check waits for Redis', async () => {
    const seen = gatedKeys();
    bot = await startSlackBot({ seen });
    const payload = {
      type: 'block_actions',
      team: { id: 'T1' },
      user: { id: 'UADMIN', username: 'alice', team_id: 'T1' },
      trigger_id: 'press-slow-1',
      channel: { id: 'C1' },
      response_url: bot.slack.responseUrl('press'),
      actions: [{ type: 'button', action_id: 'opsline_confirm', value: 'ABCDEF' }],
    };
    const r = await postSigned(bot.url, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), { secret: SECRET });
    expect(r.status).toBe(200);
    expect(seen.asked).toBe(1);
    seen.open();
    const late = await bot.slack.waitFor(() => bot!.slack.callsOf('response_url')[0]);
    expect(late.body).toMatchObject({ text: 'no request is waiting for confirmation ABCDEF (codes last 60 s); nothing was run' });
  });
});
