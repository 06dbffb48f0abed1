import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { adapterFactories } from '../../../src/adapters/index.js';
import { discordAdapterFactory } from '../../../src/adapters/discord/factory.js';
import { buildConfig } from '../../../src/config/load.js';
import { HttpServer } from '../../../src/http/server.js';
import { buildApp } from '../../../src/app/main.js';
import { IDS } from '../../helpers/discord-payloads.js';
import { signingKeys } from '../../helpers/discord-request.js';

const log = pino({ level: 'silent' });

describe('the discord adapter factory', () => {
  it('is one of the factories opsline start runs', () => {
    expect(adapterFactories).toContain(discordAdapterFactory);
  });

  it('builds nothing without a discord section', async () => {
    const app = await buildApp(buildConfig({}), { log });
    expect(await discordAdapterFactory({ app, http: new HttpServer(log), log })).toBeUndefined();
    expect(app.transports.local('discord')).toBeUndefined();
  });

  it('in http mode mounts /discord/interactions and registers the thread transport', async () => {
    const config = buildConfig({ discord: { mode: 'http', token: 't0ken', applicationId: IDS.application, publicKey: signingKeys().publicKeyHex } });
    const app = await buildApp(config, { log });
    const http = new HttpServer(log);
    const adapter = await discordAdapterFactory({ app, http, log });
    expect(adapter?.name).toBe('discord');
    expect(app.transports.get('discord')?.editIntervalMs).toBe(2000);
    const port = await http.listen(0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/discord/interactions`, { method: 'POST', body: '{"type":1}' });
      expect(res.status).toBe(401);
    } finally {
      await http.close();
    }
  });

  it('in gateway mode reports the gateway session on /readyz while it is not up, without making the process unready', async () => {
    const config = buildConfig({ discord: { token: 't0ken', applicationId: IDS.application } });
    const app = await buildApp(config, { log });
    const http = new HttpServer(log);
    expect((await discordAdapterFactory({ app, http, log }))?.name).toBe('discord');
    const port = await http.listen(0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ ready: true, checks: { discord: { ok: false, detail: 'discord gateway not connected' } } });
    } finally {
      await http.close();
    }
  });
});
