import { afterEach, describe, expect, it } from 'vitest';
import { webBot, type WebBot } from '../../helpers/web-bot.js';
import { CookieJar } from '../../helpers/cookie-jar.js';
import { OIDC_CLIENT, OidcProvider } from '../../helpers/oidc-provider.js';
import { freePort } from '../../helpers/agent-fixture.js';

let bot: WebBot | undefined;
let op: OidcProvider | undefined;
afterEach(async () => {
  await bot?.stop();
  await op?.stop();
  bot = op = undefined;
});

type OidcExtra = { claim?: string; scopes?: string[]; principals?: Record<string, string> };

/** The bot with "Sign in with Test IdP", against a real provider in this process. */
async function setUp(users: { key: string; roles: ('admin' | 'viewer' | 'operator')[] }[], extra: OidcExtra = {}): Promise<{ bot: WebBot; op: OidcProvider }> {
  op = await new OidcProvider().listen();
  bot = await webBot({ access: { users }, web: { oidc: { issuer: op.issuer, name: 'Test IdP', clientId: OIDC_CLIENT.id, clientSecret: OIDC_CLIENT.secret, ...extra } } });
  op.register(`${bot.base}/web/oidc/callback`);
  return { bot, op };
}

/** A browser's trip: our start, the provider (signs `op.next` in), back to just before our callback. */
async function toCallback(b: WebBot, jar: CookieJar, start = '/web/oidc/start'): Promise<string> {
  const { url } = await jar.follow(`${b.base}${start}`, (u) => u.startsWith(`${b.base}/web/oidc/callback`));
  expect(url.startsWith(`${b.base}/web/oidc/callback?`)).toBe(true);
  return url;
}

async function get(url: string, jar: CookieJar): Promise<Response> {
  const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(url) } });
  jar.take(url, res);
  return res;
}

const signIns = (b: WebBot) => b.audit.records.filter((r) => r.command === 'web signin');

describe('sign in with OpenID Connect', () => {
  it('runs the code flow with PKCE, state and nonce; oidc:<sub> on the allowlist gets a session and lands on the page asked for', async () => {
    const { bot: b } = await setUp([{ key: 'oidc:alice', roles: ['viewer'] }]);
    const signedOut = await fetch(`${b.base}/web/status`);
    expect(signedOut.status).toBe(401);
    expect(await signedOut.text()).toContain('<a class="button" href="/web/oidc/start">Sign in with Test IdP</a>');

    const jar = new CookieJar();
    const first = await get(`${b.base}/web/oidc/start?next=/web/status`, jar);
    expect(first.status).toBe(303);
    const auth = new URL(first.headers.get('location') ?? '');
    expect(auth.origin).toBe(op!.issuer);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(auth.searchParams.get('state')).toBeTruthy();
    expect(auth.searchParams.get('nonce')).toBeTruthy();
    expect(auth.searchParams.get('redirect_uri')).toBe(`${b.base}/web/oidc/callback`);
    const flow = first.headers.getSetCookie().find((c) => c.startsWith('opsline_oidc=')) ?? '';
    expect(flow).toMatch(/; HttpOnly/);
    expect(flow).toMatch(/; SameSite=Lax/);

    const callback = await toCallback(b, jar, `/web/oidc/start?next=/web/status`);
    const done = await get(callback, jar);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/web/status');
    expect(jar.get(b.base, 'opsline_oidc')).toBeUndefined();
    const session = jar.get(b.base, 'opsline_session');
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const page = await b.page('/web/status', `opsline_session=${session}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('alice (oidc:alice)');
    expect(signIns(b)).toHaveLength(1);
    expect(signIns(b)[0]).toMatchObject({ principalKey: 'oidc:alice', platform: 'web', outcome: 'ok', decision: 'allow', argsJson: '{"via":"oidc"}' });

    // The same callback again: the flow cookie is spent, so nothing happens.
    const again = await get(callback, jar);
    expect(again.status).toBe(400);
    expect(signIns(b)).toHaveLength(1);
  });

  it('refuses and audits a subject that is not on the allowlist; no session', async () => {
    const { bot: b, op: p } = await setUp([{ key: 'oidc:alice', roles: ['admin'] }]);
    p.next = { sub: 'mallory' };
    const jar = new CookieJar();
    const res = await get(await toCallback(b, jar), jar);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('not on the allowlist; your key is oidc:mallory');
    expect(jar.get(b.base, 'opsline_session')).toBeUndefined();
    expect(signIns(b)).toEqual([expect.objectContaining({ principalKey: 'oidc:mallory', outcome: 'refused', decision: 'deny', errorCode: 'denied' })]);
  });

  it('refuses a callback from another browser, a forged state, a provider error, a garbled flow cookie and a replayed code; none signs in', async () => {
    const { bot: b } = await setUp([{ key: 'oidc:alice', roles: ['admin'] }]);
    const jar = new CookieJar();
    const callback = await toCallback(b, jar);
    const flow = jar.get(b.base, 'opsline_oidc') ?? '';
    const at = (q: Record<string, string>) => `${b.base}/web/oidc/callback?${new URLSearchParams(q).toString()}`;
    const state = new URL(callback).searchParams.get('state') ?? '';
    const code = new URL(callback).searchParams.get('code') ?? '';
    const cases: [string, string, number][] = [
      // Login CSRF: the victim's browser opens a callback the attacker started (no flow cookie, or another one).
      [callback, '', 400],
      [callback, 'opsline_oidc=e30', 400],
      [callback, `opsline_oidc=${flow.slice(0, -4)}`, 400],
      [at({ code, state: `${state}x` }), `opsline_oidc=${flow}`, 400],
      [at({ error: 'access_denied', state }), `opsline_oidc=${flow}`, 403],
      [at({ error: '<script>', state }), `opsline_oidc=${flow}`, 403],
      // The right state, a made-up code: the provider's token endpoint says no.
      [at({ code: 'made-up-code', state }), `opsline_oidc=${flow}`, 403],
    ];
    for (const [url, cookie, status] of cases) {
      const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
      expect(res.status, url).toBe(status);
      expect(await res.text()).not.toContain('<script>');
      expect(res.headers.getSetCookie().some((c) => c.startsWith('opsline_session='))).toBe(false);
    }
    // The real code once (the made-up one did not spend it), then never again.
    const ok = await fetch(callback, { redirect: 'manual', headers: { cookie: `opsline_oidc=${flow}` } });
    expect(ok.status).toBe(303);
    const replay = await fetch(callback, { redirect: 'manual', headers: { cookie: `opsline_oidc=${flow}` } });
    expect(replay.status).toBe(403);
    expect(signIns(b)).toHaveLength(1);
  });

  it('maps a verified email to a configured principal (read from userinfo), and refuses an unverified one', async () => {
    const { bot: b, op: p } = await setUp([{ key: 'console:admin', roles: ['admin'] }], {
      claim: 'email',
      scopes: ['openid', 'email', 'profile'],
      principals: { 'ops@example.com': 'console:admin' },
    });
    p.next = { sub: 'u-123', name: 'Ops Person', email: 'ops@example.com', email_verified: true };
    const jar = new CookieJar();
    const res = await get(await toCallback(b, jar), jar);
    expect(res.status).toBe(303);
    const page = await b.page('/web/jobs', `opsline_session=${jar.get(b.base, 'opsline_session') ?? ''}`);
    expect(page.body).toContain('Ops Person (console:admin)');

    p.next = { sub: 'u-456', email: 'ops@example.com', email_verified: false };
    const jar2 = new CookieJar();
    const refused = await get(await toCallback(b, jar2), jar2);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('gave no usable email');
    expect(jar2.get(b.base, 'opsline_session')).toBeUndefined();
  });

  it('answers 503 and changes nothing while the provider cannot be reached', async () => {
    const port = await freePort();
    bot = await webBot({ access: { users: [] }, web: { oidc: { issuer: `http://127.0.0.1:${port}`, clientId: 'x', clientSecret: 'y' } } });
    const res = await fetch(`${bot.base}/web/oidc/start`, { redirect: 'manual' });
    expect(res.status).toBe(503);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});
