import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { collectProblems, launchChromium, seriousA11yProblems } from '../../helpers/browser.js';
import { OIDC_CLIENT, OidcProvider } from '../../helpers/oidc-provider.js';
import { webBot, type WebBot } from '../../helpers/web-bot.js';

let bot: WebBot;
let op: OidcProvider;
let browser: Browser;
beforeAll(async () => {
  op = await new OidcProvider().listen();
  bot = await webBot({ access: { users: [{ key: 'oidc:alice', roles: ['viewer'] }] }, web: { oidc: { issuer: op.issuer, name: 'Test IdP', clientId: OIDC_CLIENT.id, clientSecret: OIDC_CLIENT.secret } } });
  op.register(`${bot.base}/web/oidc/callback`);
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await bot?.stop();
  await op?.stop();
});

describe('OpenID Connect in a real browser', () => {
  it('goes from a page opened signed out, through the provider, back to that page signed in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = collectProblems(page);
    await page.goto(`${bot.base}/web/status`);
    expect(await seriousA11yProblems(page)).toEqual([]);
    await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    await page.waitForURL(`${bot.base}/web/status`);
    await page.getByText('alice (oidc:alice)').waitFor();
    // The 401 of the signed-out page is logged by the browser as a failed load; nothing else may be.
    expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    const cookies = await context.cookies(`${bot.base}/web/status`);
    expect(cookies.find((c) => c.name === 'opsline_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookies.find((c) => c.name === 'opsline_oidc')).toBeUndefined();
    await context.close();
  });
});
