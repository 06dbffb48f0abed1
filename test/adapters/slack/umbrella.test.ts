import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackBot, type SlackBot } from '../../helpers/slack-bot.js';

// The umbrella command and the renamed built-in, through signed requests into the real endpoint.
describe('slack umbrella command', () => {
  let bot: SlackBot;
  beforeAll(async () => {
    bot = await startSlackBot();
  });
  afterAll(async () => bot.stop());

  it('/opsline status all reaches /status', async () => {
    const r = await bot.command('/opsline status all', { user_id: 'UVIEW', user_name: 'victor' });
    expect(r.status).toBe(200);
    expect(r.json?.text).toMatch(/^Tasks, all time:/);
  });

  it('/opsline note add passes the rest of the text on unchanged', async () => {
    const r = await bot.command('/opsline note add via the umbrella &amp; more');
    expect(r.json?.text).toMatch(/note/i);
    const list = await bot.command('/opsline note list');
    // Replies are escaped for Slack again: the text came back as it was stored.
    expect(list.json?.text).toContain('via the umbrella &amp; more');
  });

  it('/ops-status (the accepted name of the built-in /status) reaches /status, and help names it so', async () => {
    const r = await bot.command('/ops-status all');
    expect(r.json?.text).toMatch(/^Tasks, all time:/);
    const help = await bot.command('/opsline');
    expect(help.json?.text).toContain('You may run:');
    expect(help.json?.text).toContain('/ops-status');
    expect(help.json?.text).not.toMatch(/(^|\s)\/status\b/);
  });

  it('/opsline with an unknown command gets the usual refusal', async () => {
    const r = await bot.command('/opsline frobnicate now');
    expect(r.status).toBe(200);
    expect(r.json?.text).toMatch(/frobnicate/);
  });
});

describe('slack umbrella name', () => {
  it('refuses at start an umbrella that is also the Slack name of a command', async () => {
    await expect(startSlackBot({ umbrella: 'note' })).rejects.toThrow(/slack\.umbrellaCommand: \/note is also the Slack name of the note command/);
  });
});
