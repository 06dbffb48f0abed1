import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackBot, type SlackBot } from '../../helpers/slack-bot.js';

describe('slack slash commands end to end', () => {
  let bot: SlackBot;
  beforeAll(async () => {
    bot = await startSlackBot();
  });
  afterAll(async () => bot.stop());

  it('/help answers in the ack, ephemeral, listing what the caller may run', async () => {
    const r = await bot.command('/help');
    expect(r.status).toBe(200);
    expect(r.json?.response_type).toBe('ephemeral');
    expect(r.json?.text).toContain('You may run:');
    expect(r.json?.text).toContain('/note');
  });

  it('/status answers in the ack, visible in the channel', async () => {
    const r = await bot.command('/status', { user_id: 'UVIEW', user_name: 'victor' });
    expect(r.status).toBe(200);
    expect(r.json?.response_type).toBe('in_channel');
    expect(r.json?.text).toMatch(/^Tasks, today: \d+ total/);
  });

  it('/note add stores the note under the Slack principal and display name', async () => {
    // Slack entity-encodes &, < and > in command text.
    const r = await bot.command('/note add deploy window is 14:00 &lt;!channel&gt; &amp; after');
    expect(r.status).toBe(200);
    expect(r.json?.text).toMatch(/note/i);
    const [latest] = await bot.app.services.notes.list(1);
    expect(latest).toMatchObject({ authorKey: 'slack:T1:UADMIN', authorName: 'alice', platform: 'slack', room: 'C1' });
    expect(latest?.body).toBe('deploy window is 14:00 <!channel> & after');
    // Listing it back must not turn the stored text into a channel-wide ping.
    const list = await bot.command('/note list 1');
    expect(list.json?.text).toContain('&lt;!channel&gt;');
    expect(list.json?.text).not.toContain('<!channel>');
  });

  it('refuses a viewer running /note add, ephemerally, naming the role and the key', async () => {
    const r = await bot.command('/note add sneaky', { user_id: 'UVIEW', user_name: 'victor' });
    expect(r.status).toBe(200);
    expect(r.json?.response_type).toBe('ephemeral');
    expect(r.json?.text).toContain('needs the writer role');
    expect(r.json?.text).toContain('slack:T1:UVIEW');
    expect((await bot.app.services.notes.list(50)).map((n) => n.body)).not.toContain('sneaky');
  });

  it('refuses an unknown user, naming their key so an admin can add it', async () => {
    const r = await bot.command('/status', { user_id: 'UNOBODY', team_id: 'T9' });
    expect(r.json?.response_type).toBe('ephemeral');
    expect(r.json?.text).toContain('not on the allowlist');
    expect(r.json?.text).toContain('slack:T9:UNOBODY');
  });

  it('answers an unknown command with a hint', async () => {
    const r = await bot.command('/frobnicate');
    expect(r.json?.text).toContain('unknown command /frobnicate');
  });

  it('does not run a Slack retry (X-Slack-Retry-Num) of a command it already received', async () => {
    const trigger = `retry-${Date.now()}`;
    const first = await bot.command('/note add only once please', {}, { trigger });
    const retry = await bot.command('/note add only once please', {}, { trigger, retryNum: 1 });
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.text).toBe('');
    const bodies = (await bot.app.services.notes.list(50)).map((n) => n.body);
    expect(bodies.filter((b) => b === 'only once please')).toHaveLength(1);
  });
});

describe('slack command prefix', () => {
  let bot: SlackBot;
  beforeAll(async () => {
    bot = await startSlackBot({ prefix: 'ops-' });
  });
  afterAll(async () => bot.stop());

  it('maps /ops-status to the status command', async () => {
    const r = await bot.command('/ops-status all');
    expect(r.json?.text).toMatch(/^Tasks, all time:/);
  });

  it('names commands with the prefix in /help, as Slack knows them', async () => {
    const r = await bot.command('/ops-help');
    expect(r.json?.text).toContain('/ops-note add &lt;text&gt;');
    expect(r.json?.text).toContain('/ops-help &lt;command&gt; shows examples');
    expect(r.json?.text).not.toMatch(/(^|\s)\/note\b/);
  });
});
