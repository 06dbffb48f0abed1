import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const DIST = join(import.meta.dirname, '..', '..', 'dist', 'src');
const mod = (p: string) => JSON.stringify(pathToFileURL(join(DIST, p)).href);

export interface PacedChildOptions {
  readonly apiUrl: string;
  /** Shared through Redis under this prefix, or each process on its own without it. */
  readonly redis?: { readonly url: string; readonly prefix: string };
  readonly updatesPerMinute: number;
  readonly burst: number;
  /** chat.update calls fired at once, each waiting for the budget. */
  readonly calls: number;
}

/**
 * A separate Node process (the built dist/) that edits `calls` messages at once through the bot's
 * paced Slack client, the way a worker's live statuses do, and exits when all are answered.
 */
export function runPacedChild(o: PacedChildOptions): Promise<void> {
  const script = `
import { webApi } from '@slack/bolt';
import { PacedSlackChat } from ${mod('adapters/slack/paced-chat.js')};
import { RateBudget } from ${mod('services/budget/budget.js')};
import { RedisReservations } from ${mod('services/budget/redis-store.js')};
const o = JSON.parse(process.argv[1]);
const store = o.redis ? new RedisReservations(o.redis.url, o.redis.prefix, () => undefined) : undefined;
const client = new webApi.WebClient('xoxb-shared', { slackApiUrl: o.apiUrl, logLevel: webApi.LogLevel.ERROR, retryConfig: { retries: 10, minTimeout: 10, maxTimeout: 100 } });
const chat = new PacedSlackChat(client, 'xoxb-shared', { updatesPerMinute: o.updatesPerMinute, postsPerMinutePerChannel: 60, burst: o.burst }, new RateBudget(store));
await Promise.all(Array.from({ length: o.calls }, (_, i) => chat.update({ channel: 'C1', ts: '1.' + (process.pid * 1000 + i), text: 'step ' + i })));
await store?.close();
`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(o)], { cwd: join(DIST, '..', '..'), stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`paced child exited with ${code}`))));
  });
}
