import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, seriousA11yProblems, signedInPage } from '../../helpers/browser.js';
import { webBot, type WebBot } from '../../helpers/web-bot.js';

const ADMIN = 'console:admin';
const OPS = 'console:olga';
const VIEWER = 'console:vera';
const users = [
  { key: ADMIN, roles: ['admin' as const] },
  { key: OPS, roles: ['operator' as const] },
  { key: VIEWER, roles: ['viewer' as const] },
];

let bot: WebBot;
let browser: Browser;
beforeAll(async () => {
  bot = await webBot({ access: { users } }, { demoAgent: true });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await bot?.stop();
});

/** A fresh browser context signed in through the link, as a person clicks it: open it, press Continue. */
function signedIn(key: string) {
  return signedInPage(browser, bot, key);
}

const jobOf = (text: string) => /burn job (b[a-z0-9]{6})/.exec(text)?.[1] ?? '';

describe('the web view in a real browser', () => {
  it('signs in by link and follows a demo burn live on its job page to the end, with no CSP problem', async () => {
    const { page, problems, context } = await signedIn(OPS);
    const queued = await bot.say(OPS, '/burn sample.iso');
    const id = jobOf(queued.text);
    expect(id, queued.text).not.toBe('');
    // The chat thread links to the job's page (web.publicUrl is set).
    const root = bot.transport.messages.find((m) => m.kind === 'root' && m.text.includes(`(job ${id})`));
    expect(root?.text).toContain(` · full output: ${bot.base}/web/jobs/${id}`);
    await page.goto(`${bot.base}/web/jobs`);
    await page.getByRole('link', { name: id }).click();
    await page.waitForURL(`${bot.base}/web/jobs/${id}`);
    // Loaded while the burn runs: the result is empty, and only the live events can fill it.
    expect(await page.locator('#result').textContent()).toBe('');
    await page.locator('#status', { hasText: /writing|verifying/ }).waitFor({ timeout: 60_000 });
    await page.locator('#result', { hasText: /./ }).waitFor({ timeout: 60_000 });
    expect(await page.locator('#result').textContent()).toMatch(/done|✔/);
    expect(await page.locator('#state').textContent()).toBe('ended');
    expect(await page.locator('#lines li').count()).toBeGreaterThan(0);
    // The jobs page's history has it now, with its outcome and how long it ran.
    await page.goto(`${bot.base}/web/jobs`);
    const row = page.locator('tr', { has: page.getByRole('link', { name: id }) });
    expect(await row.locator('td').nth(2).textContent()).toBe('ok');
    expect(await row.locator('td').nth(3).textContent()).toMatch(/^\d+ s$|^\d+ min \d+ s$/);
    expect((await page.goto(`${bot.base}/web/audit`))?.status()).toBe(403);
    expect(problems.filter((p) => !/403/.test(p))).toEqual([]);
    await context.close();
    // Every page, as an admin: no console error and no CSP violation on any of them.
    const admin = await signedIn(ADMIN);
    for (const path of ['/web/jobs', `/web/jobs/${id}`, '/web/status', '/web/audit', '/web/sessions']) {
      const r = await admin.page.goto(`${bot.base}${path}`);
      expect(r?.status(), path).toBe(200);
      // axe-core on every page: no serious or critical accessibility violation.
      expect(await seriousA11yProblems(admin.page), path).toEqual([]);
    }
    expect(admin.problems).toEqual([]);
    await admin.context.close();

    // A page that reconnects says what it saw last (Last-Event-ID) and gets only what came after.
    const cookie = await bot.signIn(OPS);
    const events = async (last?: string) => {
      const res = await fetch(`${bot.base}/web/jobs/${id}/events`, { headers: { cookie, ...(last ? { 'last-event-id': last } : {}) } });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      const text = await res.text();
      return [...text.matchAll(/^id: (\d+-\d+)\nevent: (\w+)/gm)].map((m) => `${m[1]} ${m[2]}`);
    };
    const all = await events();
    expect(all[0]).toMatch(/^\d+-\d+ /);
    expect(all.at(-1)).toMatch(/ final$/);
    expect(await events(all[1]?.split(' ')[0])).toEqual(all.slice(2));
  }, 120_000);

  it('shows Cancel to an operator, who cancels a running burn through the dispatcher; a viewer gets no button and a forged POST is refused', async () => {
    const ops = await signedIn(OPS);
    const viewer = await signedIn(VIEWER);
    const id = jobOf((await bot.say(OPS, '/burn sample.iso')).text);
    await viewer.page.goto(`${bot.base}/web/jobs/${id}`);
    expect(await viewer.page.getByRole('button', { name: /^Cancel/ }).count()).toBe(0);
    // The viewer's own session and CSRF token, a hand-made cancel: refused by the same access check as chat.
    const forged = await viewer.page.evaluate(`(async () => {
      const csrf = document.querySelector('input[name=csrf]').value;
      const r = await fetch('/web/jobs/${id}/cancel', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf }) });
      return r.status;
    })()`);
    expect(forged).toBe(403);
    const denied = bot.audit.records.filter((r) => r.platform === 'web' && r.command === 'burn cancel');
    expect(denied).toMatchObject([{ principalKey: VIEWER, decision: 'deny' }]);

    await ops.page.goto(`${bot.base}/web/jobs/${id}`);
    await ops.page.locator('#status', { hasText: /writing|verifying/ }).waitFor({ timeout: 60_000 });
    await ops.page.getByRole('button', { name: `Cancel burn ${id}` }).click();
    await ops.page.locator('#result', { hasText: /cancel/i }).waitFor({ timeout: 60_000 });
    const rows = bot.audit.records.filter((r) => r.platform === 'web' && r.command === 'burn cancel');
    expect(rows.map((r) => `${r.principalKey} ${r.decision} ${r.outcome}`)).toEqual([`${VIEWER} deny refused`, `${OPS} allow ok`]);
    expect(ops.problems).toEqual([]);
    expect(viewer.problems.filter((p) => !/403/.test(p))).toEqual([]);
    await ops.context.close();
    await viewer.context.close();
  }, 120_000);
});

describe('a link to a page followed from another site', () => {
  it('opens the page signed in, although the Strict cookie is not sent on the cross-site request', async () => {
    const { createServer } = await import('node:http');
    const { page, context, problems } = await signedIn(OPS);
    // Another site: localhost is not the same site as 127.0.0.1; its page links to the jobs page, as a chat client would.
    const other = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<a id="go" href="${bot.base}/web/sessions">open</a>`);
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const port = (other.address() as { port: number }).port;
    try {
      await page.goto(`http://localhost:${port}/`);
      await page.click('#go');
      await page.waitForURL(`${bot.base}/web/sessions`);
      await page.getByRole('heading', { name: 'Sessions' }).waitFor();
      expect(await page.locator('main').textContent()).toContain('Your signed-in sessions');
      expect(problems).toEqual([]);
    } finally {
      other.close();
      await context.close();
    }
  }, 60_000);
});
