import { pino } from 'pino';
import { webAdapterFactory } from '../../src/adapters/web/factory.js';
import type { Adapter } from '../../src/adapters/types.js';
import { MemoryAuditSink } from '../../src/core/audit.js';
import { buildConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { HttpServer } from '../../src/http/server.js';
import { buildApp, type App } from '../../src/app/main.js';
import type { DiscordMemberRoles } from '../../src/app/access-setup.js';
import { freePort } from './agent-fixture.js';
import { dispatchLine, lineInvocation } from './command-line.js';
import type { Reply } from '../../src/core/reply.js';
import { RecordingTransport } from './test-adapter.js';
import { openLink, postContinue, sessionCookie } from './web-signin.js';

export interface WebBot {
  readonly app: App;
  readonly audit: MemoryAuditSink;
  /** The chat side's threads (platform `test`): roots, replies and edits. */
  readonly transport: RecordingTransport;
  /** http://127.0.0.1:<port>, also `web.publicUrl`. */
  readonly base: string;
  /** A line typed in chat by `key` (platform `test`, threads recorded), through the real dispatcher. */
  say(key: string, line: string): Promise<Reply>;
  /** `/web` typed by `key` in chat: the sign-in link from its reply. */
  link(key: string): Promise<string>;
  /** Signs `key` in as a browser would (GET the link, POST Continue): the session cookie. */
  signIn(key: string, next?: string): Promise<string>;
  /** A page's HTML as `cookie` sees it, and the CSRF token in its forms. */
  page(path: string, cookie: string): Promise<{ status: number; body: string; csrf: string | undefined; headers: Headers }>;
  stop(): Promise<void>;
}

const silent = pino({ level: process.env.OPSLINE_TEST_LOG ?? 'silent' });

/**
 * The bot with its web view on the one HTTP server, as `opsline start` mounts it: a real listening
 * port, the real dispatcher, demo services unless told otherwise (`demoAgent` adds the in-process agent).
 */
export async function webBot(config: ConfigInput, opts: { demoAgent?: boolean; now?: () => Date; discordMemberRoles?: DiscordMemberRoles } = {}): Promise<WebBot> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const audit = new MemoryAuditSink();
  const app = await buildApp(buildConfig({ ...config, web: { publicUrl: base, ...config.web } }, 'test'), { log: silent, demo: true, audit, demoAgent: opts.demoAgent === true, now: opts.now, discordMemberRoles: opts.discordMemberRoles });
  const transport = new RecordingTransport();
  app.transports.add(transport);
  const http = new HttpServer(silent);
  const adapter = (await webAdapterFactory({ app, http, log: silent })) as Adapter;
  await adapter.start(app.dispatcher.dispatch.bind(app.dispatcher));
  await http.listen(port, '127.0.0.1');
  await app.startWorkers();
  const bot: WebBot = {
    app,
    audit,
    transport,
    base,
    say(key, line) {
      const who = { key, name: key.split(':').pop() ?? key };
      return app.dispatcher.dispatch(lineInvocation(who, line), transport.starter(who));
    },
    async link(key) {
      const r = await dispatchLine(app, key, '/web');
      const m = /(http:\/\/\S+\/web\/signin\?t=[A-Za-z0-9_-]+)/.exec(r.text);
      if (!m?.[1]) throw new Error(`no link in: ${r.text}`);
      return m[1];
    },
    async signIn(key, next) {
      const f = await openLink(await bot.link(key));
      const res = await postContinue(base, { ...f, ...(next ? { next } : {}) });
      const cookie = sessionCookie(res);
      if (res.status !== 303 || !cookie) throw new Error(`sign-in failed: ${res.status}`);
      return cookie;
    },
    async page(path, cookie) {
      const res = await fetch(`${base}${path}`, { headers: { cookie }, redirect: 'manual' });
      const body = await res.text();
      return { status: res.status, body, csrf: /name="csrf" value="([^"]+)"/.exec(body)?.[1], headers: res.headers };
    },
    async stop() {
      await adapter.stop();
      await http.close();
      await app.stop();
    },
  };
  return bot;
}
