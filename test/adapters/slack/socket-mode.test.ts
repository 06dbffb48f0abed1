import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackBot, type SlackBot } from '../../helpers/slack-bot.js';

describe('slack socket mode', () => {
  let bot: SlackBot;
  beforeAll(async () => {
    bot = await startSlackBot({ mode: 'socket' });
  });
  afterAll(async () => bot.stop());

  const payload = (command: string, text: string, trigger: string, user = 'UADMIN') => ({
    token: 'x',
    team_id: 'T1',
    team_domain: 'example',
    channel_id: 'C7',
    channel_name: 'ops',
    user_id: user,
    user_name: 'alice',
    command,
    text,
    api_app_id: 'A1',
    response_url: bot.slack.responseUrl(trigger),
    trigger_id: trigger,
  });

  it('opens the connection with the app token and is ready after hello', async () => {
    const open = bot.slack.callsOf('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]?.auth).toBe('Bearer xapp-test');
    expect(bot.slack.socketCount).toBe(1);
    const res = await fetch(bot.url.replace('/slack/events', '/readyz'));
    expect(res.status).toBe(200);
  });

  it('does not mount /slack/events in socket mode', async () => {
    const res = await fetch(bot.url, { method: 'POST', body: '' });
    expect(res.status).toBe(404);
  });

  it('answers /status in the envelope ack', async () => {
    const ack = await bot.slack.sendEnvelope('slash_commands', payload('/status', 'all', 'sock-1'), 'env-1');
    expect(ack.payload).toMatchObject({ response_type: 'in_channel' });
    expect(String((ack.payload as { text: string }).text)).toMatch(/^Tasks, all time:/);
  });

  it('answers a refusal ephemerally', async () => {
    const ack = await bot.slack.sendEnvelope('slash_commands', payload('/audit', '', 'sock-2', 'UVIEW'), 'env-2');
    expect(ack.payload).toMatchObject({ response_type: 'ephemeral' });
    expect(String((ack.payload as { text: string }).text)).toContain('slack:T1:UVIEW');
  });

  it('does not run a redelivered envelope twice', async () => {
    await bot.slack.sendEnvelope('slash_commands', payload('/note', 'add via socket', 'sock-3'), 'env-3');
    const again = await bot.slack.sendEnvelope('slash_commands', payload('/note', 'add via socket', 'sock-3'), 'env-3b', 1);
    expect(again.payload ?? {}).toEqual({});
    const bodies = (await bot.app.services.notes.list(50)).map((n) => n.body);
    expect(bodies.filter((b) => b === 'via socket')).toHaveLength(1);
  });
});
