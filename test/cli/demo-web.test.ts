import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { demoWebPort, startDemoWeb } from '../../src/cli/demo-web.js';
import { buildConfig } from '../../src/config/load.js';
import { demoConfig } from '../../src/config/demo.js';
import { buildApp, type App } from '../../src/app/main.js';
import { openLink, postContinue, sessionCookie } from '../helpers/web-signin.js';

let stop: (() => Promise<void>) | undefined;
let app: App | undefined;
afterEach(async () => {
  await stop?.();
  await app?.stop();
});

describe('the demo web view', () => {
  it("listens on 127.0.0.1 and gives a link that signs the demo's admin in to every page", async () => {
    const port = await demoWebPort({});
    app = await buildApp(buildConfig(demoConfig('tester', port)), { log: pino({ level: 'silent' }), demo: true });
    const web = await startDemoWeb(app, app.log, { key: 'console:tester', name: 'tester' });
    stop = web.stop;
    const link = new RegExp(`^web view: (http://127\\.0\\.0\\.1:${port}/web/signin\\?t=[A-Za-z0-9_-]+) signs you in`).exec(web.line)?.[1];
    expect(link, web.line).toBeDefined();
    const base = `http://127.0.0.1:${port}`;
    const res = await postContinue(base, await openLink(link ?? ''));
    expect(res.status).toBe(303);
    const cookie = sessionCookie(res);
    for (const path of ['/web/jobs', '/web/status', '/web/notes', '/web/deploys', '/web/schedules', '/web/audit']) {
      const page = await fetch(`${base}${path}`, { headers: { cookie } });
      expect(page.status, path).toBe(200);
    }
    // A port the demo cannot take: it says so and runs on without the web view.
    const again = await startDemoWeb(app, app.log, { key: 'console:tester', name: 'tester' });
    expect(again.line).toMatch(/^web view: off \(.*\); set OPSLINE_DEMO_WEB_PORT to a free port$/);
    expect(await demoWebPort({ OPSLINE_DEMO_WEB_PORT: '4321' })).toBe(4321);
  });
});
