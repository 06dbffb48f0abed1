import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's chromium (scripts/test-setup.mjs installs it), driven by playwright-core. Nothing here
 * downloads a browser: the executable is the system's.
 */
export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  // As root (CI, containers) chromium needs --no-sandbox; the pages it opens are the test's own.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/**
 * A fresh browser context signed in through a sign-in link, as a person clicks it: open it, press
 * Continue, land on the jobs page. `problems` collects the page's console errors and CSP violations.
 */
export async function signedInPage(browser: Browser, bot: { readonly base: string; link(key: string): Promise<string> }, key: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = collectProblems(page);
  await page.goto(await bot.link(key));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${bot.base}/web/jobs`);
  return { context, page, problems };
}

/** Console errors and CSP violations a page reports, for a test to assert there are none. */
export function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

interface AxeResult {
  readonly violations: readonly { readonly id: string; readonly impact: string | null; readonly nodes: readonly { readonly html: string }[] }[];
}

/**
 * axe-core run in the page (injected through the browser's debugging protocol, which the page's CSP does
 * not govern): the serious and critical accessibility violations, as `rule: element` lines.
 */
export async function seriousA11yProblems(page: Page): Promise<string[]> {
  const source = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const result = (await page.evaluate('axe.run(document)')) as AxeResult;
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.html}`));
}
