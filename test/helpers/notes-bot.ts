import { pino } from 'pino';
import { buildConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import type { Reply } from '../../src/core/reply.js';
import { buildApp, type App } from '../../src/app/main.js';
import { dispatchLine } from './command-line.js';
import type { TestDatabase } from './mysql.js';

export interface NotesBot {
  readonly app: App;
  /** `writers` principal keys, `console:w0` … with the writer role. */
  readonly writers: readonly string[];
  say(key: string, line: string): Promise<Reply>;
  /** Rows the bot wrote, counted as root: notes and audit rows of `note add`. */
  counts(): Promise<{ notes: number; distinctBodies: number; audit: number }>;
  stop(): Promise<void>;
}

/** The whole bot on MySQL at `url` (a proxy port, say) with many writers: load and fault tests of /note add. */
export async function startNotesBot(db: TestDatabase, url: string, writers: number, mysql: Partial<NonNullable<ConfigInput['mysql']>> = {}): Promise<NotesBot> {
  const keys = Array.from({ length: writers }, (_, i) => `console:w${i}`);
  const config = buildConfig({ mysql: { url, ...mysql }, access: { users: keys.map((key) => ({ key, roles: ['writer' as const] })) } }, 'test');
  const app = await buildApp(config, { log: pino({ level: process.env.TEST_LOG ?? 'silent' }) });
  return {
    app,
    writers: keys,
    say: (key, line) => dispatchLine(app, key, line),
    async counts() {
      await app.services.audit.flush();
      const [n] = await db.sql<{ notes: number; bodies: number }>('SELECT COUNT(*) AS notes, COUNT(DISTINCT body) AS bodies FROM notes');
      const [a] = await db.sql<{ n: number }>("SELECT COUNT(*) AS n FROM audit_log WHERE command = 'note add'");
      return { notes: Number(n?.notes), distinctBodies: Number(n?.bodies), audit: Number(a?.n) };
    },
    stop: () => app.stop(),
  };
}
