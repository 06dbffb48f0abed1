// `npm run docs:screenshots`: starts the demo (`opsline console --demo`), signs in to its web view with the
// link it prints, and writes a PNG of each page to docs/web/ (embedded in docs/web.md). Not a test: run it
// when the pages change, and commit the pictures. Uses Debian's chromium through playwright-core, as the tests do.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { URL, fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}docs/web`;
const demo = spawn(process.execPath, [`${root}dist/src/cli.js`, 'console', '--demo'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: demo.stdout });
const seen = [];
const waiters = [];
lines.on('line', (line) => {
  seen.push(line);
  for (const w of [...waiters]) {
    if (!w.re.test(line)) continue;
    waiters.splice(waiters.indexOf(w), 1);
    w.resolve(line);
  }
});
/** The first line of the demo's output that matches, now or later. */
function lineMatching(re) {
  const had = seen.find((l) => re.test(l));
  return had ? Promise.resolve(had) : new Promise((resolve) => waiters.push({ re, resolve }));
}
const say = (text) => demo.stdin.write(`${text}\n`);

let browser;
try {
  // In a pipe the demo prints no link of its own: /web gives one, as in chat.
  say('/web');
  const link = /(http:\/\/\S+\/web\/signin\?t=[A-Za-z0-9_-]+)/.exec(await lineMatching(/\/web\/signin\?t=/))?.[1];
  if (!link) throw new Error(`the demo printed no sign-in link: ${seen.join('\n')}`);
  // Something to look at: a note, a lock, a burn.
  say('/note add swapped the UPS battery in rack 2');
  say('/deploy lock demo release freeze');
  say('/burn sample.iso');
  const job = /burn job (b[a-z0-9]{6})/.exec(await lineMatching(/^burn job b[a-z0-9]{6} queued/))?.[1];
  await mkdir(out, { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
  await page.goto(link);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/web\/jobs$/);
  const base = new URL(link).origin;
  await page.goto(`${base}/web/jobs/${job}`);
  await page.locator('#result', { hasText: /./ }).waitFor({ timeout: 120_000 });
  await page.screenshot({ path: `${out}/job.png` });
  for (const [name, path] of [['jobs', '/web/jobs'], ['status', '/web/status?window=24h'], ['notes', '/web/notes'], ['deploys', '/web/deploys'], ['schedules', '/web/schedules'], ['audit', '/web/audit'], ['sessions', '/web/sessions']]) {
    await page.goto(`${base}${path}`);
    await page.screenshot({ path: `${out}/${name}.png`, fullPage: name === 'status' });
    console.log(`wrote docs/web/${name}.png`);
  }
  console.log('wrote docs/web/job.png');
} finally {
  await browser?.close();
  demo.stdin.end();
  demo.kill('SIGINT');
}
