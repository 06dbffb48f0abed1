import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, signedInPage } from '../../helpers/browser.js';
import { HookServer } from '../../helpers/hook-server.js';
import { webBot, type WebBot } from '../../helpers/web-bot.js';

// docs/web.md, "Live updates": a running job's page appends its output lines as the worker records
// them, over the same event stream as its status, numbered as the record numbers them, as text.
const OPS = 'console:olga';

let bot: WebBot;
let hooks: HookServer;
let browser: Browser;
beforeAll(async () => {
  hooks = await new HookServer().start();
  hooks.statusBody = 'step one';
  const poll = { url: hooks.url('/status'), intervalSec: 0.1, doneMatch: '^done', failMatch: '^broken' };
  bot = await webBot({ access: { users: [{ key: OPS, roles: ['operator', 'deployer'] }] }, deploy: { targets: [{ name: 'site', kind: 'webhook', url: hooks.url('/ok'), poll }] } });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await bot?.stop();
  await hooks?.stop();
});

describe('a running job\'s page in a real browser', () => {
  it('appends new output lines live, without a reload, as text', async () => {
    const { context, page, problems } = await signedInPage(browser, bot, OPS);
    const id = /job (d[a-z0-9]{6})/.exec((await bot.say(OPS, '/deploy site main')).text)?.[1] ?? '';
    expect(id).not.toBe('');
    await page.goto(`${bot.base}/web/jobs/${id}`);
    const output = page.locator('#output li');
    await output.filter({ hasText: 'status: HTTP 200 step one' }).waitFor();
    // Only a navigation could clear this: the line below must come without one.
    await page.evaluate('window.servedOnce = true');
    let navigations = 0;
    page.on('framenavigated', () => navigations++);

    hooks.statusBody = 'step two <script>window.ran = 1</script><b>bold</b>';
    const two = output.filter({ hasText: 'step two' });
    await two.waitFor();
    expect(await two.textContent()).toBe('status: HTTP 200 step two <script>window.ran = 1</script><b>bold</b>');
    expect(await page.locator('#output script, #output b').count()).toBe(0);
    expect(await page.evaluate('[window.servedOnce, window.ran]')).toEqual([true, undefined]);
    expect(navigations).toBe(0);
    // Numbered as recorded: one after another, each line once.
    const numbers = await output.evaluateAll((lis) => lis.map((li) => (li as unknown as { value: number }).value));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    expect(await output.allTextContents()).toEqual([...new Set(await output.allTextContents())]);

    hooks.statusBody = 'done';
    await page.locator('#result', { hasText: /./ }).waitFor();
    expect(await page.locator('#state').textContent()).toBe('ended');
    expect(navigations).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
