import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { slackAdapterFactory } from '../../../src/adapters/slack/index.js';
import { buildConfig } from '../../../src/config/load.js';
import { HttpServer } from '../../../src/http/server.js';
import { buildApp } from '../../../src/app/main.js';

const log = pino({ level: 'silent' });

describe('slack adapter factory', () => {
  it('returns nothing without a slack section', async () => {
    const app = await buildApp(buildConfig({}), { log });
    expect(await slackAdapterFactory({ app, http: new HttpServer(log), log })).toBeUndefined();
    expect(app.transports.local('slack')).toBeUndefined();
  });

  it('builds the adapter, mounts /slack/events and registers the thread transport', async () => {
    const app = await buildApp(buildConfig({ slack: { signingSecret: 's', botToken: 'xoxb-1', editIntervalMs: 700 } }), { log });
    const http = new HttpServer(log);
    const adapter = await slackAdapterFactory({ app, http, log });
    expect(adapter?.name).toBe('slack');
    expect(app.transports.get('slack')?.editIntervalMs).toBe(700);
    expect(() => http.route('POST', '/slack/events', () => undefined)).toThrow(/already mounted/);
  });
});
