import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, seriousA11yProblems, signedInPage } from '../../helpers/browser.js';
import { webBot, type WebBot } from '../../helpers/web-bot.js';

const ADMIN = 'console:admin';

let bot: WebBot;
let browser: Browser;
beforeAll(async () => {
  bot = await webBot({
    access: { users: [{ key: ADMIN, roles: ['admin'] }] },
    status: { table: 't', statusColumn: 's', timeColumn: 'c', statuses: ['Success', 'Pending', 'Failed'] },
    deploy: { targets: [{ name: 'site', kind: 'webhook', url: 'http://127.0.0.1:9/hook' }] },
    schedules: [{ name: 'digest', every: '1h', command: '/status', post: { platform: 'console', channel: 'ops' } }],
  });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await bot?.stop();
});

describe('the notes, deploys, schedules, status and audit pages in a real browser', () => {
  it('carry the CSP header, pass axe with no serious or critical violation, and show a <script> note as text', async () => {
    const { context, page, problems } = await signedInPage(browser, bot, ADMIN);

    // The nav leads to each new page.
    for (const name of ['Notes', 'Deploys', 'Schedules']) {
      await page.getByRole('navigation', { name: 'sections' }).getByRole('link', { name }).click();
      await page.getByRole('heading', { level: 1, name }).waitFor();
    }

    await page.goto(`${bot.base}/web/notes`);
    await page.getByLabel('New note').fill('<script>document.title="owned"</script> swapped the UPS battery');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByRole('status').filter({ hasText: /saved/ }).waitFor();
    const cell = page.locator('td.note-body').first();
    expect(await cell.textContent()).toBe('<script>document.title="owned"</script> swapped the UPS battery');
    expect(await page.title()).toBe('Notes · opsline');
    expect(bot.audit.records.filter((r) => r.command === 'note add')).toMatchObject([{ principalKey: ADMIN, platform: 'web', outcome: 'ok' }]);

    for (const path of ['/web/notes', '/web/notes?q=battery', '/web/deploys', '/web/schedules', '/web/status', '/web/audit']) {
      const res = await page.goto(`${bot.base}${path}`);
      expect(res?.status(), path).toBe(200);
      expect(res?.headers()['content-security-policy'], path).toBe(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      );
      expect(await seriousA11yProblems(page), path).toEqual([]);
    }
    // The demo's background count has stored a snapshot: the chart is drawn, with its accessible name.
    await page.goto(`${bot.base}/web/status`);
    expect(await page.getByRole('img', { name: /Counts of 24h per status over time/ }).count()).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
