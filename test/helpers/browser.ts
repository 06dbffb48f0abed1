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

/** Console errors and CSP violations a page reports, for a test to assert there are none. */
export function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}
