import { pino } from 'pino';
import { buildConfig } from '../../../src/config/load.js';
import type { ConfigInput } from '../../../src/config/schema.js';
import type { Reply } from '../../../src/core/reply.js';
import { buildApp, type App } from '../../../src/app/main.js';
import { dispatchLine } from '../../helpers/command-line.js';

export const ADMIN = 'console:admin';
export const WRITER = 'console:writer';
export const VIEWER = 'console:viewer';

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
    say: (key, line) => dispatchLine(app, key, line),
    stop: () => app.stop(),
  };
}
