import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { webAdapterFactory } from '../../../src/adapters/web/factory.js';
import { buildConfig } from '../../../src/config/load.js';
import type { ConfigInput } from '../../../src/config/schema.js';
import { HttpServer } from '../../../src/http/server.js';
import { buildApp } from '../../../src/app/main.js';
import { freePort } from '../../helpers/agent-fixture.js';
import { dispatchLine } from '../../helpers/command-line.js';

const log = pino({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(input: ConfigInput) {
  const app = await buildApp(buildConfig(input, 'test'), { log, demo: true });
  cleanups.push(() => app.stop());
  const http = new HttpServer(log);
  const adapter = await webAdapterFactory({ app, http, log });
  await adapter?.start(app.dispatcher.dispatch.bind(app.dispatcher));
  if (adapter) cleanups.push(() => adapter.stop());
  const port = await http.listen(0, '127.0.0.1');
  cleanups.push(() => http.close());
  return { app, adapter, main: `http://127.0.0.1:${port}` };
}

const users = [{ key: 'console:admin', roles: ['admin' as const] }];

describe('where the web view is served', () => {
  it('serves it on its own port with web.port, and not on the main server', async () => {
    const port = await freePort();
    const { main, app } = await start({ access: { users }, web: { port, host: '127.0.0.1', publicUrl: `http://127.0.0.1:${port}` } });
    expect((await fetch(`${main}/web/jobs`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/web/jobs`)).status).toBe(401);
    const link = (await dispatchLine(app, 'console:admin', '/web')).text;
    expect(link).toContain(`http://127.0.0.1:${port}/web/signin?t=`);
  });

  it('serves nothing with enabled: false, and /web says the view is off', async () => {
    const { main, app, adapter } = await start({ access: { users }, web: { enabled: false } });
    expect(adapter).toBeUndefined();
    expect((await fetch(`${main}/web/jobs`)).status).toBe(404);
    const r = await dispatchLine(app, 'console:admin', '/web');
    expect(r.code).toBe('not_configured');
    expect(r.text).toContain('the web view is not configured here');
  });

  it('refuses a web section with a publicUrl that has a path or is not http(s)', () => {
    for (const publicUrl of ['https://ops.example.com/web', 'ftp://ops.example.com', 'ops.example.com'])
      expect(() => buildConfig({ web: { publicUrl } }, 'test'), publicUrl).toThrow(/web\.publicUrl/);
  });
});
