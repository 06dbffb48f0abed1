import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCommand } from '../../src/core/define-command.js';
import { reply, type Reply } from '../../src/core/reply.js';
import { startDiscordBot, USERS, type DiscordBot } from '../helpers/discord-bot.js';
import { IDS } from '../helpers/discord-payloads.js';
import { startSlackBot, type SlackBot } from '../helpers/slack-bot.js';

/** A command that answers "counting…" now and its counts when the test opens the gate (a cold /status). */
function gated() {
  let open: (r: Reply) => void = () => undefined;
  const gate = new Promise<Reply>((resolve) => (open = resolve));
  const command = defineCommand({
    name: 'gated',
    description: 'answers now, and again when the test says',
    usage: '/gated',
    examples: ['/gated'],
    roles: ['viewer'],
    sideEffects: false,
    handler: () => ({ ...reply('Tasks, all time: counting…', { visibility: 'channel' }), later: gate }),
  });
  return { command, open: () => open(reply('Tasks, all time: 4 total, 75% done, as of just now', { visibility: 'channel' })) };
}

describe('a later answer on Slack', () => {
  const g = gated();
  let bot: SlackBot;
  beforeAll(async () => {
    bot = await startSlackBot({ extra: [g.command] });
  });
  afterAll(async () => bot?.stop());

  it('acks "counting…", then replaces it through response_url with the counts', async () => {
    const r = await bot.command('/gated', { user_id: 'UVIEW', user_name: 'victor', response_url: bot.slack.responseUrl('gated-1') });
    expect(r.json).toMatchObject({ response_type: 'in_channel', text: 'Tasks, all time: counting…' });
    expect(bot.slack.calls.filter((c) => c.method === 'response_url')).toEqual([]);
    g.open();
    const late = await bot.slack.waitFor(() => bot.slack.calls.find((c) => c.method === 'response_url'));
    expect(late.body).toMatchObject({ replace_original: true, response_type: 'in_channel', text: 'Tasks, all time: 4 total, 75% done, as of just now' });
  });
});

describe('a later answer on Discord', () => {
  const g = gated();
  let bot: DiscordBot;
  beforeAll(async () => {
    bot = await startDiscordBot({ mode: 'gateway', extra: [g.command] });
  });
  afterAll(async () => bot?.stop());

  it('answers "counting…", then edits that same message into the counts', async () => {
    const p = bot.double.sendInteraction({ command: 'gated', userId: USERS.viewer });
    await bot.double.waitFor(() => bot.double.original(p.token)?.content === 'Tasks, all time: counting…');
    g.open();
    await bot.double.waitFor(() => bot.double.original(p.token)?.content === 'Tasks, all time: 4 total, 75% done, as of just now');
    const routes = bot.double.calls.filter((c) => c.route.includes(p.token)).map((c) => `${c.method} ${c.route.replace(p.token, 'TOKEN')}`);
    expect(routes).toEqual([`POST /interactions/${p.id}/TOKEN/callback`, `PATCH /webhooks/${IDS.application}/TOKEN/messages/@original`]);
  });
});
