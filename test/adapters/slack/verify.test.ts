import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET, startSlackBot, type SlackBot } from '../../helpers/slack-bot.js';
import { postSigned, signedPost, slashBody } from '../../helpers/slack-request.js';
import { captureLog } from '../../helpers/log-capture.js';
import type { SeenKeys } from '../../../src/services/seen-keys.js';

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
  ])('refuses %s with 401 and runs nothing', async (label, opts) => {
    const before = bot.slack.calls.length;
    const r = await postSigned(bot.url, noteAdd('evil'), opts);
    expect(r.status).toBe(401);
    expect(r.text).toBe('');
    // A signed add sent after it has been saved: what the refused one might have started would have run by now.
    const after = await postSigned(bot.url, noteAdd(`after ${label}`), { secret: SECRET });
    expect(after.json?.text).toMatch(/^note #\d+ saved/);
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

describe('what a signed request that is not a command or a press gets', () => {
  let bot: SlackBot;
  beforeAll(async () => {
    bot = await startSlackBot();
  });
  afterAll(async () => bot.stop());

  const send = async (body: string, contentType: string) => {
    const p = signedPost(body, SECRET);
    const res = await fetch(bot.url, { ...p, headers: { ...p.headers, 'content-type': contentType } });
    return { status: res.status, text: await res.text() };
  };
  const notes = async () => (await bot.app.services.notes.list(50)).map((n) => n.body);
  const form = (extra: Record<string, string>) => `${slashBody({ command: '/note', text: 'add sneaked in' })}&${new URLSearchParams(extra).toString()}`;

  it('Bolt answers url_verification with the challenge and ssl_check=1 with an empty 200', async () => {
    expect(await send(JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 't' }), 'application/json')).toEqual({ status: 200, text: '{"challenge":"c-123"}' });
    expect(await send('ssl_check=1&token=t', 'application/x-www-form-urlencoded')).toEqual({ status: 200, text: '' });
  });

  it('a JSON body runs nothing, whatever fields it has; an event or another payload type is acked empty', async () => {
    const command = Object.fromEntries(new URLSearchParams(slashBody({ command: '/note', text: 'add from json' })));
    expect(await send(JSON.stringify(command), 'application/json')).toEqual({ status: 200, text: '' });
    expect(await send(JSON.stringify({ type: 'event_callback', event: { type: 'app_mention' } }), 'application/json')).toEqual({ status: 200, text: '' });
    expect(await send(new URLSearchParams({ payload: JSON.stringify({ type: 'view_submission', user: { id: 'UADMIN' } }) }).toString(), 'application/x-www-form-urlencoded')).toEqual({ status: 200, text: '' });
    expect(await notes()).not.toContain('from json');
  });

  it('a command form with ssl_check other than 1 is read as the command it is', async () => {
    const r = await send(form({ ssl_check: '1' }), 'application/x-www-form-urlencoded');
    expect(r).toEqual({ status: 200, text: '' });
    expect(await notes()).not.toContain('sneaked in');
    const c = await send(form({ ssl_check: '0' }), 'application/x-www-form-urlencoded');
    expect(c.status).toBe(200);
    expect(c.text).toMatch(/note #\d+ saved/);
    expect(await notes()).toContain('sneaked in');
  });
});

describe('a request nothing answers in time', () => {
  it('is answered 503 at Slack\'s 3 s deadline when its body never arrives (nothing ran), and logged', async () => {
    const cap = captureLog();
    const bot = await startSlackBot({ log: cap.log });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const timestamp = String(Math.floor(Date.now() / 1000));
        const headers = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '1000', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': 'v0=0' };
        const req = request(bot.url, { method: 'POST', headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        });
        req.on('error', reject);
        // The rest of the body never comes.
        req.write('command=%2Fhelp');
      });
      expect(status).toBe(503);
      await cap.waitFor(/a platform request was not answered in time; answered 503/);
    } finally {
      await bot.stop();
    }
  }, 15_000);

  it('acks a command whose duplicate checks never answer in time, never with a 503', async () => {
    let release!: (v: boolean) => void;
    const never = new Promise<boolean>((r) => (release = r));
    const hung: SeenKeys = { firstSeen: () => never };
    const bot = await startSlackBot({ seen: hung });
    try {
      const r = await postSigned(bot.url, slashBody({ command: '/help' }), { secret: SECRET });
      expect(r.status).toBe(200);
      expect(r.text).toBe('');
    } finally {
      // Lets the held request end (as a replay), so stopping does not wait for it.
      release(false);
      await bot.stop();
    }
  }, 15_000);
});
