import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { buildConfig } from '../../../src/config/load.js';
import type { ConfigInput } from '../../../src/config/schema.js';
import type { Reply } from '../../../src/core/reply.js';
import type { ThreadStarter } from '../../../src/core/thread.js';
import { buildApp, type App } from '../../../src/main.js';

export const ADMIN = 'console:admin';
export const WRITER = 'console:writer';
export const VIEWER = 'console:viewer';

const noThreads: ThreadStarter = {
  startThread: () => Promise.reject(new Error('no threads in these tests')),
};

export interface Bot {
  readonly app: App;
  /** One command line through the real dispatcher, as an adapter would send it. */
  say(key: string, line: string): Promise<Reply>;
  stop(): Promise<void>;
}

/** The whole bot (real config validation, real services) against MySQL at `url`. */
export async function startBot(url: string, extra: Partial<ConfigInput> = {}): Promise<Bot> {
  const config = buildConfig(
    {
      mysql: { url },
      access: {
        users: [
          { key: ADMIN, name: 'ada', roles: ['admin'] },
          { key: WRITER, name: 'wes', roles: ['writer'] },
          { key: VIEWER, name: 'vic', roles: ['viewer'] },
        ],
      },
      ...extra,
    },
    'test',
  );
  const app = await buildApp(config, { log: pino({ level: process.env.TEST_LOG ?? 'silent' }) });
  return {
    app,
    say(key, line) {
      const m = /^\/(\S*)\s*([\s\S]*)$/.exec(line.trim());
      if (!m) throw new Error(`not a command line: ${line}`);
      const principal = { key, name: key.split(':').pop() ?? key };
      const inv = { id: randomUUID(), platform: 'test', principal, room: 'C1', command: m[1] ?? '', text: m[2] ?? '', receivedAt: new Date() };
      return app.dispatcher.dispatch(inv, noThreads);
    },
    stop: () => app.stop(),
  };
}
