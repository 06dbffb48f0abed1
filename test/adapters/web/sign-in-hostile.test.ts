import { afterEach, describe, expect, it } from 'vitest';
import { webBot, type WebBot } from '../../helpers/web-bot.js';
import { openLink, postContinue, sessionCookie } from '../../helpers/web-signin.js';

const ADMIN = 'console:admin';
const users = [{ key: ADMIN, roles: ['admin' as const] }];
let bot: WebBot | undefined;
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
});

const signIns = (b: WebBot) => b.audit.records.filter((r) => r.command === 'web signin');

describe('the Continue form carries a CSRF token paired with a cookie', () => {
  it('refuses a POST without the token, without the cookie (a form posted from elsewhere) or with another form\'s token, and the link stays good', async () => {
    bot = await webBot({ access: { users } });
    const f = await openLink(await bot.link(ADMIN));
    expect(f.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(f.cookie).toBe(`opsline_signin=${f.csrf}`);
    const other = await openLink(await bot.link(ADMIN));
    const hostile = [
      { t: f.t, cookie: f.cookie },
      { t: f.t, csrf: f.csrf },
      { t: f.t, csrf: other.csrf, cookie: f.cookie },
      { t: f.t, csrf: f.csrf, cookie: other.cookie },
      { t: f.t, csrf: '', cookie: 'opsline_signin=' },
      { t: f.t, csrf: 'x', cookie: 'opsline_signin=x' },
    ];
    for (const h of hostile) {
      const res = await postContinue(bot.base, h);
      expect(res.status, JSON.stringify(h)).toBe(403);
      expect(sessionCookie(res)).toBe('');
    }
    expect(signIns(bot)).toEqual([]);
    expect((await fetch(await bot.link(ADMIN))).status).toBe(200);
    expect((await postContinue(bot.base, f)).status).toBe(303);
    expect(signIns(bot)).toHaveLength(1);
  });

  it('refuses a POST without Origin unless Sec-Fetch-Site says same-origin; Origin null is another site', async () => {
    bot = await webBot({ access: { users } });
    const f = await openLink(await bot.link(ADMIN));
    for (const headers of [{}, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { 'sec-fetch-site': 'none' }, { origin: 'null' }, { origin: `${bot.base}.evil.example` }]) {
      expect((await postContinue(bot.base, f, headers)).status, JSON.stringify(headers)).toBe(403);
    }
    expect(signIns(bot)).toEqual([]);
    const res = await postContinue(bot.base, f, { 'sec-fetch-site': 'same-origin' });
    expect(res.status).toBe(303);
    expect(sessionCookie(res)).not.toBe('');
  });
});

describe('the sign-in limit counts the client, not the proxy, and only tokens that could be real', () => {
  const bad = 'B'.repeat(43);

  it('behind a trusted proxy, counts the rightmost X-Forwarded-For entry: one client is held back, another is not, and a forged left part changes nothing', async () => {
    bot = await webBot({ access: { users }, web: { trustProxy: true } });
    const f = await openLink(await bot.link(ADMIN));
    const via = (xff: string) => ({ origin: bot!.base, 'x-forwarded-for': xff });
    // The client puts made-up addresses in front; the proxy appends the real one (203.0.113.5).
    for (let i = 0; i < 10; i++) expect((await postContinue(bot.base, { ...f, t: bad }, via(`198.51.100.${i}, 203.0.113.5`))).status).toBe(410);
    expect((await postContinue(bot.base, f, via('203.0.113.5'))).status).toBe(429);
    expect((await postContinue(bot.base, f, via('198.51.100.1, 203.0.113.5'))).status).toBe(429);
    // Another client behind the same proxy (every request comes from 127.0.0.1) signs in.
    expect((await postContinue(bot.base, f, via('203.0.113.6'))).status).toBe(303);
  });

  it('without trustProxy, X-Forwarded-For is ignored: changing it does not escape the limit', async () => {
    bot = await webBot({ access: { users } });
    const f = await openLink(await bot.link(ADMIN));
    for (let i = 0; i < 10; i++) expect((await postContinue(bot.base, { ...f, t: bad }, { origin: bot.base, 'x-forwarded-for': `203.0.113.${i}` })).status).toBe(410);
    expect((await postContinue(bot.base, f, { origin: bot.base, 'x-forwarded-for': '203.0.113.99' })).status).toBe(429);
  });

  it('with two proxies, skips the one the outer proxy wrote; a malformed entry counts as the proxy itself', async () => {
    bot = await webBot({ access: { users }, web: { trustProxy: 2 } });
    const f = await openLink(await bot.link(ADMIN));
    for (let i = 0; i < 10; i++) {
      expect((await postContinue(bot.base, { ...f, t: bad }, { origin: bot!.base, 'x-forwarded-for': `203.0.113.7, 10.0.0.${i}` })).status).toBe(410);
    }
    expect((await postContinue(bot.base, f, { origin: bot.base, 'x-forwarded-for': '203.0.113.7, 10.0.0.1' })).status).toBe(429);
    // `not-an-ip` is no address: these requests are counted as the peer (127.0.0.1), which has no failures yet.
    expect((await postContinue(bot.base, f, { origin: bot.base, 'x-forwarded-for': 'not-an-ip, 10.0.0.1' })).status).toBe(303);
  });

  it('lets at most ten of a burst of real-looking tokens at once be tried; the rest are refused before any is looked up', async () => {
    bot = await webBot({ access: { users } });
    const f = await openLink(await bot.link(ADMIN));
    const statuses = await Promise.all(Array.from({ length: 30 }, () => postContinue(bot!.base, { ...f, t: bad }).then((r) => r.status)));
    expect(statuses.filter((s) => s === 410)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    expect((await postContinue(bot.base, f)).status).toBe(429);
  });

  it('does not count a sign-in that succeeded: nine failures, a sign-in, and one more failure still fit', async () => {
    bot = await webBot({ access: { users } });
    for (let i = 0; i < 9; i++) expect((await postContinue(bot.base, { ...(await openLink(await bot.link(ADMIN))), t: bad })).status).toBe(410);
    expect((await postContinue(bot.base, await openLink(await bot.link(ADMIN)))).status).toBe(303);
    const f = await openLink(await bot.link(ADMIN));
    expect((await postContinue(bot.base, { ...f, t: bad })).status).toBe(410);
    expect((await postContinue(bot.base, f)).status).toBe(429);
  });

  it('does not count malformed tokens: garbage from one client cannot lock out others behind the same address', async () => {
    bot = await webBot({ access: { users } });
    const f = await openLink(await bot.link(ADMIN));
    for (const t of ['', 'x', '../../etc/passwd', 'A'.repeat(44), `${'A'.repeat(42)}!`, 'A'.repeat(5000)]) {
      for (let i = 0; i < 3; i++) expect((await postContinue(bot.base, { ...f, t })).status, t.slice(0, 50)).toBe(410);
    }
    expect((await postContinue(bot.base, f)).status).toBe(303);
    expect(signIns(bot)).toHaveLength(1);
  });
});
