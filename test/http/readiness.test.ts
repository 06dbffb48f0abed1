import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.js';
import { mountReadyChecks } from '../../src/app/ready-checks.js';
import { HttpServer } from '../../src/http/server.js';
import { buildApp } from '../../src/app/main.js';
import { VaultDouble } from '../helpers/vault-double.js';

const log = pino({ level: 'silent' });
type Readyz = { ready: boolean; state: string; checks: Record<string, { ok: boolean; detail?: string }> };

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function readyz(port: number): Promise<{ status: number; body: Readyz }> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: res.status, body: (await res.json()) as Readyz };
}

// Ready means "this process can take commands". A shared dependency that is down is down for every
// replica at once: reported, never a 503, or the load balancer would take all of them out together.
describe('/readyz', () => {
  it('is ready once started whatever the dependencies say, reports each, and is 503 while stopping', async () => {
    const http = new HttpServer(log);
    cleanups.push(() => http.close());
    http.readyCheck('redis', async () => 'connection reconnecting');
    http.readyCheck('agent:burner1', async () => 'agent burner1 is down');
    // A dependency that hangs must not hang the probe past a load balancer's timeout either.
    http.readyCheck('mysql', () => new Promise<undefined>(() => undefined));
    expect(http.state).toBe('starting');
    const port = await http.listen(0, '127.0.0.1');
    const up = await readyz(port);
    expect(up.status).toBe(200);
    expect(up.body).toEqual({
      ready: true,
      state: 'started',
      checks: {
        redis: { ok: false, detail: 'connection reconnecting' },
        'agent:burner1': { ok: false, detail: 'agent burner1 is down' },
        mysql: { ok: false, detail: 'no answer within 800 ms' },
      },
    });
    http.stopping();
    const draining = await readyz(port);
    expect(draining.status).toBe(503);
    expect(draining.body).toMatchObject({ ready: false, state: 'stopping' });
  });

  it('reports Vault, and Vault gone does not make the process unready', async () => {
    const vault = await VaultDouble.start();
    cleanups.push(() => vault.close());
    const app = await buildApp(buildConfig({ vault: { addr: vault.addr, token: vault.addToken('root') } }), { log });
    cleanups.push(() => app.stop());
    const http = new HttpServer(log);
    cleanups.push(() => http.close());
    cleanups.push(mountReadyChecks(http, app, log));
    const port = await http.listen(0, '127.0.0.1');
    expect(await readyz(port)).toEqual({ status: 200, body: { ready: true, state: 'started', checks: { vault: { ok: true } } } });
    expect(vault.requests).toContainEqual({ method: 'GET', path: 'sys/health' });
    await vault.close();
    const gone = await readyz(port);
    expect(gone.status).toBe(200);
    expect(gone.body.checks.vault).toMatchObject({ ok: false, detail: expect.stringMatching(/^Vault at http:\/\/127\.0\.0\.1:\d+ is unreachable \(health check\)/) });
  });
});
