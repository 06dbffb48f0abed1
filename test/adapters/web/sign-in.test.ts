import { afterEach, describe, expect, it } from 'vitest';
import { webBot, type WebBot } from '../../helpers/web-bot.js';
import { openLink, postContinue } from '../../helpers/web-signin.js';

const ADMIN = 'console:admin';
const VIEWER = 'console:vera';
const users = [
  { key: ADMIN, roles: ['admin' as const] },
  { key: VIEWER, roles: ['viewer' as const] },
];
let bot: WebBot | undefined;
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
});


describe('web sign-in by one-time link', () => {
  it('shows Continue on GET without spending the link; the POST spends it once and sets a strict HttpOnly cookie', async () => {
    bot = await webBot({ access: { users } });
    const link = await bot.link(ADMIN);
    expect(link.startsWith(`${bot.base}/web/signin?t=`)).toBe(true);
    // A chat client's preview fetches the link: that must change nothing.
    for (let i = 0; i < 2; i++) {
      const get = await fetch(link);
      expect(get.status).toBe(200);
      expect(await get.text()).toContain('>Continue</button>');
      // No session: only the Continue form's CSRF pair (docs/web.md, "Security").
      expect(get.headers.getSetCookie().map((c) => c.split('=')[0])).toEqual(['opsline_signin']);
    }
    const f = await openLink(link);
    expect(f.t).toBe(new URL(link).searchParams.get('t'));
    const first = await postContinue(bot.base, f);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/web/jobs');
    const cookie = first.headers.getSetCookie().find((c) => c.startsWith('opsline_session=')) ?? '';
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/web/);
    expect(cookie).not.toMatch(/Secure/);
    const again = await postContinue(bot.base, f);
    expect(again.status).toBe(410);
    expect(again.headers.getSetCookie().filter((c) => c.startsWith('opsline_session='))).toEqual([]);
    expect(await again.text()).toContain('used or has expired');
    expect((await fetch(link)).status).toBe(410);
    const rows = bot.audit.records.filter((r) => r.command === 'web signin');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ platform: 'web', principalKey: ADMIN, outcome: 'ok' });
    const page = await bot.page('/web/jobs', cookie.split(';')[0] ?? '');
    expect(page.status).toBe(200);
    expect(page.body).toContain('console:admin');
  });

  it('refuses an expired link, a made-up token and a malformed one, and changes nothing', async () => {
    let now = Date.parse('2026-12-05T10:00:00Z');
    bot = await webBot({ access: { users } }, { now: () => new Date(now) });
    const link = await bot.link(ADMIN);
    const t = new URL(link).searchParams.get('t') ?? '';
    now += 5 * 60_000 + 1000;
    expect((await fetch(link)).status).toBe(410);
    // A good form (CSRF field and cookie) from a live link, carrying the other tokens.
    const pair = await openLink(await bot.link(VIEWER));
    for (const token of [t, 'A'.repeat(43), '../../etc/passwd', '']) {
      const res = await postContinue(bot.base, { ...pair, t: token });
      expect(res.status, token).toBe(410);
      expect(res.headers.getSetCookie().filter((c) => c.startsWith('opsline_session='))).toEqual([]);
    }
    expect(bot.audit.records.filter((r) => r.command === 'web signin')).toEqual([]);
  });

  it('refuses a sign-in POST from another site without spending the link', async () => {
    bot = await webBot({ access: { users } });
    const link = await bot.link(ADMIN);
    const f = await openLink(link);
    expect((await postContinue(bot.base, f, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await postContinue(bot.base, f)).status).toBe(303);
  });

  it('goes back to the page asked for, and only to a path under /web on this site', async () => {
    bot = await webBot({ access: { users } });
    const cases: [string, string][] = [
      ['/web/audit?user=alice', '/web/audit?user=alice'],
      ['/web/../admin', '/web/jobs'],
      ['/web/%2e%2e/admin', '/web/jobs'],
      ['//evil.example/web', '/web/jobs'],
      ['https://evil.example/web/jobs', '/web/jobs'],
      ['/web//evil.example', '/web/jobs'],
      ['/web\\..\\x', '/web/jobs'],
      ['/web/signout', '/web/jobs'],
    ];
    for (const [next, to] of cases) {
      const res = await postContinue(bot.base, { ...(await openLink(await bot.link(ADMIN))), next });
      expect(res.status, next).toBe(303);
      expect(res.headers.get('location'), next).toBe(to);
    }
  });

  it('remembers the page a signed-out visitor opened and returns there after sign-in', async () => {
    bot = await webBot({ access: { users } });
    const first = await fetch(`${bot.base}/web/audit?user=vera`, { redirect: 'manual' });
    expect(first.status).toBe(401);
    const next = first.headers.getSetCookie().find((c) => c.startsWith('opsline_next=')) ?? '';
    const link = await bot.link(ADMIN);
    const get = await fetch(link, { headers: { cookie: next.split(';')[0] ?? '' } });
    const body = await get.text();
    const field = /name="next" value="([^"]+)"/.exec(body)?.[1];
    expect(field).toBe('/web/audit?user=vera');
  });
});

describe('cookies behind TLS', () => {
  it('marks the session cookie Secure when a trusted proxy says https, and only then', async () => {
    bot = await webBot({ access: { users }, web: { trustProxy: true } });
    const cookieFor = async (proto?: string) => {
      const f = await openLink(await bot!.link(ADMIN));
      const res = await postContinue(bot!.base, f, { origin: bot!.base, 'x-forwarded-proto': proto });
      return res.headers.getSetCookie().find((c) => c.startsWith('opsline_session=')) ?? '';
    };
    expect(await cookieFor('https')).toMatch(/; Secure/);
    expect(await cookieFor('http')).not.toMatch(/Secure/);
    expect(await cookieFor()).not.toMatch(/Secure/);
  });

  it('ignores X-Forwarded-Proto without trustProxy', async () => {
    bot = await webBot({ access: { users } });
    const f = await openLink(await bot.link(ADMIN));
    const res = await postContinue(bot.base, f, { origin: bot.base, 'x-forwarded-proto': 'https' });
    expect(res.headers.getSetCookie().find((c) => c.startsWith('opsline_session='))).not.toMatch(/Secure/);
  });
});

describe('sign-in attempts', () => {
  it('refuses further sign-ins from an address after 10 failures in a minute, and lets it try again a minute later', async () => {
    let now = Date.parse('2026-12-05T10:00:00Z');
    bot = await webBot({ access: { users } }, { now: () => new Date(now) });
    const f = await openLink(await bot.link(ADMIN));
    for (let i = 0; i < 10; i++) expect((await postContinue(bot.base, { ...f, t: 'B'.repeat(43) })).status).toBe(410);
    const blocked = await postContinue(bot.base, f);
    expect(blocked.status).toBe(429);
    // Refused before the link was read: it is still good once the minute is over.
    now += 60_000;
    expect((await postContinue(bot.base, f)).status).toBe(303);
  });
});
