import { isMainThread, workerData } from 'node:worker_threads';
import { buildConfig } from '../src/config/load.js';
import { signedPost, slashBody } from '../test/helpers/slack-request.js';
import { ackRows, BARE_PATH, pairedLoad, prepared, SECONDS, withServer, type Prepared } from './http-load.js';
import { serveSlackEndpoint } from './slack-endpoint.js';
import type { Bench, Row } from './report.js';

const SECRET = 'bench-signing-secret';
const RATES = [200, 1000];

/**
 * Ack latency of signed /help through the real Bolt endpoint, the dispatcher and the demo services,
 * at 200 and 1,000 req/s. The baseline is a bare POST handler on the same server fed the same signed
 * body at the same rate, interleaved one for one (bench/http-load.ts `bareRoute`).
 */
export const slackAckBench: Bench = {
  name: 'slack-ack',
  description: `ack latency of signed /help at ${RATES.join(' and ')} req/s, ${SECONDS} s each, beside a bare POST handler`,
  run: () =>
    withServer(new URL(import.meta.url), 'slack-ack-server', async (base) => {
      const rows: Row[] = [];
      for (const rate of RATES) {
        const r = await pairedLoad({ rate, seconds: SECONDS }, (n) => signedHelp(`${base}/slack/events`, n), (n) => signedHelp(`${base}${BARE_PATH}`, n));
        rows.push(...ackRows(`slack ack /help @${rate}/s`, r, 50, 2));
      }
      return rows;
    }),
};

/** Worker side: the real pipeline behind the real Bolt endpoint, on port 0, until told to stop. */
async function serve(): Promise<void> {
  const config = buildConfig({
    log: { level: 'silent' },
    slack: { signingSecret: SECRET, botToken: 'xoxb-bench', apiUrl: 'http://127.0.0.1:9/api/' },
    access: { users: [{ key: 'slack:T1:U1', name: 'bench', roles: ['viewer'] }] },
  });
  await serveSlackEndpoint(config, { demo: true });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'slack-ack-server') await serve();

/** Built and signed now; each has its own trigger_id, as Slack's do. */
function signedHelp(url: string, n: number): Prepared {
  const body = slashBody({ team_id: 'T1', user_id: 'U1', user_name: 'bench', command: '/help', trigger_id: `bench-${process.pid}-${n}-${Math.random()}` });
  return prepared(url, signedPost(body, SECRET));
}
