import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET, startSlackBot, type SlackBot } from '../../helpers/slack-bot.js';
import { postSigned, slashBody } from '../../helpers/slack-request.js';

describe('slack request verification', () => {
  let bot: SlackBot;
  beforeAll(async () => {
    bot = await startSlackBot();
  });
  afterAll(async () => bot.stop());

  const noteAdd = (text: string) => slashBody({ command: '/note', text: `add ${text}`, response_url: bot.slack.responseUrl('x') });

  async function notes(): Promise<string[]> {
    return (await bot.app.services.notes.list(50)).map((n) => n.body);
  }

  it('accepts a correctly signed request', async () => {
    const r = await postSigned(bot.url, noteAdd('signed ok'), { secret: SECRET });
    expect(r.status).toBe(200);
    expect(await notes()).toContain('signed ok');
  });

  it.each([
    ['a wrong secret', { secret: 'not-the-secret' }],
    ['a stale timestamp', { secret: SECRET, timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }],
    ['a timestamp from the future', { secret: SECRET, timestamp: Math.floor(Date.now() / 1000) + 6 * 60 }],
    ['a tampered body', { secret: SECRET, tamper: (b: string) => b.replace('evil', 'good') }],
  ])('refuses %s with 401 and runs nothing', async (_label, opts) => {
    const before = bot.slack.calls.length;
    const r = await postSigned(bot.url, noteAdd('evil'), opts);
    expect(r.status).toBe(401);
    expect(r.text).toBe('');
    await new Promise((res) => setTimeout(res, 50));
    expect(await notes()).not.toContain('evil');
    expect(await notes()).not.toContain('good');
    expect(bot.slack.calls.length).toBe(before);
  });

  it('refuses a request with no signature headers', async () => {
    const res = await fetch(bot.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: noteAdd('bare') });
    expect(res.status).toBe(401);
    expect(await notes()).not.toContain('bare');
  });

  it('answers only POST on /slack/events', async () => {
    const res = await fetch(bot.url);
    expect(res.status).toBe(405);
  });
});
