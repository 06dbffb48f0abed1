import { afterEach, describe, expect, it } from 'vitest';
import { webBot, type WebBot } from '../../helpers/web-bot.js';

const ADMIN = 'console:admin';
const OPS = 'console:olga';
const VIEWER = 'console:vera';
const users = [
  { key: ADMIN, roles: ['admin' as const] },
  { key: OPS, roles: ['operator' as const] },
  { key: VIEWER, roles: ['viewer' as const] },
];
let bot: WebBot | undefined;
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
});

const post = (b: WebBot, path: string, cookie: string, body: Record<string, string>, origin: string = b.base) =>
  fetch(`${b.base}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });

describe('web sessions', () => {
  it('puts the security headers on every page', async () => {
    bot = await webBot({ access: { users } });
    const cookie = await bot.signIn(ADMIN);
    for (const path of ['/web/jobs', '/web/status', '/web/audit', '/web/sessions', '/web/nope', '/web/static/app.css', '/web/static/live.js']) {
      const { headers } = await bot.page(path, cookie);
      expect(headers.get('content-security-policy'), path).toContain("script-src 'self'");
      expect(headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(headers.get('content-security-policy'), path).not.toContain('unsafe-inline');
      expect(headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(headers.get('referrer-policy'), path).toBe('same-origin');
    }
    expect((await fetch(`${bot.base}/web/jobs`)).headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('ends a session left idle, and one past its absolute limit however busy', async () => {
    let now = Date.parse('2026-12-05T08:00:00Z');
    bot = await webBot({ access: { users }, web: { sessionIdle: '30m', sessionMax: '2h' } }, { now: () => new Date(now) });
    const idle = await bot.signIn(ADMIN);
    now += 29 * 60_000;
    expect((await bot.page('/web/jobs', idle)).status).toBe(200);
    now += 31 * 60_000;
    expect((await bot.page('/web/jobs', idle)).status).toBe(401);

    const busy = await bot.signIn(ADMIN);
    for (let i = 0; i < 5; i++) {
      now += 20 * 60_000;
      expect((await bot.page('/web/jobs', busy)).status, `after ${(i + 1) * 20} minutes`).toBe(200);
    }
    now += 21 * 60_000;
    expect((await bot.page('/web/jobs', busy)).status).toBe(401);
  });

  it('signs out on the next request a principal taken off the allowlist', async () => {
    bot = await webBot({ access: { users } });
    const cookie = await bot.signIn(OPS);
    expect((await bot.page('/web/jobs', cookie)).status).toBe(200);
    bot.app.access.reload({ users: users.filter((u) => u.key !== OPS) });
    const gone = await bot.page('/web/jobs', cookie);
    expect(gone.status).toBe(403);
    expect(gone.body).toContain('no longer on the allowlist');
    // Put back, the old session stays ended: a new sign-in is needed.
    bot.app.access.reload({ users });
    expect((await bot.page('/web/jobs', cookie)).status).toBe(401);
  });

  it('refuses a POST without the session\'s CSRF token, with a wrong one, or from another site', async () => {
    bot = await webBot({ access: { users } });
    const cookie = await bot.signIn(OPS);
    const { csrf } = await bot.page('/web/jobs', cookie);
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const attempts = [
      post(bot, '/web/signout', cookie, {}),
      post(bot, '/web/signout', cookie, { csrf: 'x'.repeat(43) }),
      post(bot, '/web/signout', cookie, { csrf: csrf ?? '' }, 'https://evil.example'),
      post(bot, '/web/jobs/b123456/cancel', cookie, {}),
    ];
    for (const res of await Promise.all(attempts)) expect(res.status).toBe(403);
    // Nothing was done: still signed in, and no command reached the dispatcher.
    expect((await bot.page('/web/jobs', cookie)).status).toBe(200);
    expect(bot.audit.records.filter((r) => r.platform === 'web' && r.command !== 'web signin')).toEqual([]);
    const out = await post(bot, '/web/signout', cookie, { csrf: csrf ?? '' });
    expect(out.status).toBe(303);
    expect((await bot.page('/web/jobs', cookie)).status).toBe(401);
  });

  it('ends a job\'s live stream when its session signs out, before the job has ended', async () => {
    bot = await webBot({ access: { users } }, { demoAgent: true });
    const cookie = await bot.signIn(OPS);
    const { csrf } = await bot.page('/web/jobs', cookie);
    const id = /burn job (b[a-z0-9]{6})/.exec((await bot.say(OPS, '/burn sample.iso')).text)?.[1] ?? '';
    const res = await fetch(`${bot.base}/web/jobs/${id}/events`, { headers: { cookie } });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    expect((await post(bot, '/web/signout', cookie, { csrf: csrf ?? '' })).status).toBe(303);
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value);
    expect(text).not.toContain('event: final');
    // The burn itself goes on: signing out of the web view stops nobody's job.
    expect((await bot.app.services.burns!.job(id)).state).not.toBe('failed');
  }, 60_000);

  it('lets a user end their own sessions, not another\'s; an admin ends anyone\'s', async () => {
    bot = await webBot({ access: { users } });
    const vera1 = await bot.signIn(VIEWER);
    const vera2 = await bot.signIn(VIEWER);
    const olga = await bot.signIn(OPS);
    const admin = await bot.signIn(ADMIN);
    const ids = (body: string) => [...body.matchAll(/name="id" value="([0-9a-f]{64})"/g)].map((m) => m[1] ?? '');
    const veraPage = await bot.page('/web/sessions', vera1);
    expect(ids(veraPage.body)).toHaveLength(2);
    const olgaIds = ids((await bot.page('/web/sessions', olga)).body);
    expect(olgaIds).toHaveLength(1);
    const refused = await post(bot, '/web/sessions/end', vera1, { csrf: veraPage.csrf ?? '', id: olgaIds[0] ?? '' });
    expect(refused.status).toBe(403);
    expect((await bot.page('/web/jobs', olga)).status).toBe(200);
    // Vera ends her other session.
    const mine = ids(veraPage.body);
    const other = mine.find((id) => id !== mine[0]) ?? '';
    expect((await post(bot, '/web/sessions/end', vera1, { csrf: veraPage.csrf ?? '', id: other })).status).toBe(303);
    const left = [(await bot.page('/web/jobs', vera1)).status, (await bot.page('/web/jobs', vera2)).status].sort();
    expect(left).toEqual([200, 401]);
    // The admin sees every session and ends Olga's.
    const adminPage = await bot.page('/web/sessions', admin);
    expect(ids(adminPage.body).length).toBeGreaterThanOrEqual(3);
    expect((await post(bot, '/web/sessions/end', admin, { csrf: adminPage.csrf ?? '', id: olgaIds[0] ?? '' })).status).toBe(303);
    expect((await bot.page('/web/jobs', olga)).status).toBe(401);
    const rows = bot.audit.records.filter((r) => r.command === 'web session end');
    expect(rows.map((r) => `${r.principalKey} ${r.decision}`)).toEqual([`${VIEWER} deny`, `${VIEWER} allow`, `${ADMIN} allow`]);
  });

  it('renders text from outside as text: a command name with <script> in the audit page', async () => {
    bot = await webBot({ access: { users } });
    const { dispatchLine } = await import('../../helpers/command-line.js');
    await dispatchLine(bot.app, ADMIN, '/<script>alert(1)</script>');
    const cookie = await bot.signIn(ADMIN);
    const page = await bot.page('/web/audit', cookie);
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('keeps the audit page to admins and filters it by user, command and outcome', async () => {
    bot = await webBot({ access: { users } });
    const { dispatchLine } = await import('../../helpers/command-line.js');
    await dispatchLine(bot.app, VIEWER, '/whoami');
    await dispatchLine(bot.app, VIEWER, '/audit');
    await dispatchLine(bot.app, OPS, '/whoami');
    const viewer = await bot.signIn(VIEWER);
    expect((await bot.page('/web/audit', viewer)).status).toBe(403);
    const admin = await bot.signIn(ADMIN);
    const rowsOf = (body: string) => [...body.matchAll(/<tr><td>[^<]+<\/td><td>([^<]+)<\/td><td>[^<]+<\/td><td>\/([^<]+)<\/td><td>[^<]+<\/td><td>([^<]+)<\/td>/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
    // Signing in is audited too: /web in chat, then the sign-in itself; and the audit page refused on the web.
    expect(rowsOf((await bot.page('/web/audit?user=vera', admin)).body)).toEqual([`${VIEWER} audit refused (denied)`, `${VIEWER} web signin ok`, `${VIEWER} web ok`, `${VIEWER} audit refused (denied)`, `${VIEWER} whoami ok`]);
    expect(rowsOf((await bot.page('/web/audit?command=whoami', admin)).body)).toEqual([`${OPS} whoami ok`, `${VIEWER} whoami ok`]);
    expect(rowsOf((await bot.page('/web/audit?outcome=refused&command=audit', admin)).body)).toEqual([`${VIEWER} audit refused (denied)`, `${VIEWER} audit refused (denied)`]);
    expect(bot.audit.records.filter((r) => r.command === 'audit').map((r) => r.platform)).toEqual(['test', 'web']);
    expect((await bot.page('/web/audit?outcome=%3Cx%3E', admin)).status).toBe(400);
  });
});
