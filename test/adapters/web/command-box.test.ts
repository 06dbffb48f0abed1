import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, seriousA11yProblems, signedInPage } from '../../helpers/browser.js';
import { HookServer } from '../../helpers/hook-server.js';
import { webBot, type WebBot } from '../../helpers/web-bot.js';

// The command box (docs/web.md, "Command box"): a line typed as in chat runs through the dispatcher as
// the signed-in principal, platform web; a confirmation is a button; a thread is the job's page.
const OPS = 'console:dora';
const VIEWER = 'console:vera';
let hooks: HookServer;
let bot: WebBot;
let browser: Browser;
beforeAll(async () => {
  hooks = await new HookServer().start();
  bot = await webBot({
    access: { users: [{ key: OPS, roles: ['deployer'] }, { key: VIEWER, roles: ['viewer'] }] },
    deploy: { targets: [{ name: 'site', kind: 'webhook', url: hooks.url('/ok'), confirm: true }] },
  });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await bot?.stop();
  await hooks?.stop();
});

function signedIn(key: string) {
  return signedInPage(browser, bot, key);
}

describe('the command box in a real browser', () => {
  it('runs a command that asks for confirmation: Confirm runs it, the job page shows its result', async () => {
    const { context, page, problems } = await signedIn(OPS);
    await page.getByRole('link', { name: 'Run' }).click();
    // A bad line gets its specific reply, as text: the typed markup is shown, never drawn.
    await page.getByLabel('Command, as in chat').fill('/deploy site <b>main</b>');
    const asked = page.waitForResponse((r) => r.url() === `${bot.base}/web/run` && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Run' }).click();
    const response = await asked;
    expect(response.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('pre.reply').waitFor();
    expect(await page.locator('main b').count()).toBe(0);
    expect(await page.locator('main').textContent()).toContain('<b>main</b>');
    const start = bot.audit.records.length;
    await page.getByLabel('Command, as in chat').fill('/deploy site main');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByRole('button', { name: 'Confirm' }).waitFor();
    expect(await page.locator('pre.reply').textContent()).toMatch(/confirm/i);
    expect(hooks.requests).toHaveLength(0);
    expect(await seriousA11yProblems(page)).toEqual([]);

    await page.getByRole('button', { name: 'Confirm' }).click();
    const link = page.getByRole('link', { name: /^job d[a-z0-9]{6}'s page$/ });
    await link.waitFor();
    const id = /job (d[a-z0-9]{6})/.exec((await link.textContent()) ?? '')?.[1] ?? '';
    await link.click();
    await page.waitForURL(`${bot.base}/web/jobs/${id}`);
    // Live if it still runs, from the record if it has ended: either way its last word.
    await page.locator('#result', { hasText: /./ }).waitFor({ timeout: 30_000 });
    expect(await page.locator('#result').textContent()).toMatch(/✔|finished|HTTP 200/);
    expect(hooks.requests).toHaveLength(1);
    expect(problems).toEqual([]);
    await context.close();
    // One audit row per invocation, platform web: the request (pending), then its confirmation.
    const rows = bot.audit.records.slice(start).filter((r) => r.principalKey === OPS);
    expect(rows.map((r) => `${r.platform} ${r.command} ${r.outcome}`)).toEqual(['web deploy run pending', 'web confirm ok']);
  }, 90_000);

  it('refuses a viewer\'s command with a 403 and audits it, running nothing', async () => {
    const cookie = await bot.signIn(VIEWER);
    const { csrf } = await bot.page('/web/run', cookie);
    const before = bot.audit.records.length;
    const res = await fetch(`${bot.base}/web/run`, { method: 'POST', headers: { cookie, origin: bot.base, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf: csrf ?? '', line: '/deploy site main' }) });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await res.text()).toMatch(/deployer/);
    const rows = bot.audit.records.slice(before);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ principalKey: VIEWER, platform: 'web', command: 'deploy run', decision: 'deny' });
    // A line too long, or a form without the token, runs nothing and writes no row for a command.
    const long = await fetch(`${bot.base}/web/run`, { method: 'POST', headers: { cookie, origin: bot.base, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf: csrf ?? '', line: `/help ${'x'.repeat(2001)}` }) });
    expect(long.status).toBe(400);
    const forged = await fetch(`${bot.base}/web/run`, { method: 'POST', headers: { cookie, origin: bot.base, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ line: '/help' }) });
    expect(forged.status).toBe(403);
    expect(bot.audit.records.slice(before)).toHaveLength(1);
    expect(hooks.requests.length).toBeLessThanOrEqual(1);
  });
});
