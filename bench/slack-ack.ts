import { isMainThread, workerData } from 'node:worker_threads';
import { signedPost, slashBody } from '../test/helpers/slack-request.js';
import { ackRows, pairedLoad, prepared, SECONDS, withServer, type Prepared } from './http-load.js';
import { productionWorld, REDIS_URL, serveProduction } from './production-endpoint.js';
import type { Bench, Row } from './report.js';

const SECRET = 'bench-signing-secret';
const RATES = [200, 1000];

interface Role {
  readonly role: 'slack-ack-server';
  readonly db: string;
  readonly prefix: string;
}

/**
 * Ack latency of signed /help on the production path (bench/production-endpoint.ts: `buildApp` on
 * MySQL and Redis, the Slack adapter as `opsline start` mounts it, the JSON logger at `info`), at 200
 * and 1,000 req/s. The baseline is a bare node:http handler doing the same Redis SET NX for dedup
 * before it acks a constant, fed the same signed requests at the same rate, in turns.
 */
export const slackAckBench: Bench = {
  name: 'slack-ack',
  description: `ack latency of signed /help at ${RATES.join(' and ')} req/s, ${SECONDS} s each, on the production path (MySQL audit, Redis), beside a bare node:http handler doing the same SET NX`,
  async run() {
    const world = await productionWorld();
    try {
      return await withServer(new URL(import.meta.url), { role: 'slack-ack-server', db: world.db, prefix: world.prefix }, async (base, bare) => {
        const rows: Row[] = [];
        for (const rate of RATES) {
          const r = await pairedLoad({ rate, seconds: SECONDS }, (n) => signedHelp(`${base}/slack/events`, n), (n) => signedHelp(`${bare}/slack/events`, n));
          rows.push(...ackRows(`slack ack /help @${rate}/s`, r, 50, 2));
        }
        return rows;
      });
    } finally {
      await world.close();
    }
  },
};

/** Worker side: the production path and the bare handler, on ports of their own, until told to stop. */
async function serve(r: Role): Promise<void> {
  await serveProduction(slackBenchConfig(r), 'slack', r.prefix);
}

/** The production path's config for signed Slack requests from the bench's one viewer, on the bench's database and prefix. */
export function slackBenchConfig(r: { readonly db: string; readonly prefix: string }) {
  return {
    slack: { signingSecret: SECRET, botToken: 'xoxb-bench', apiUrl: 'http://127.0.0.1:9/api/' },
    mysql: { url: `mysql://root@127.0.0.1:3306/${r.db}` },
    redis: { url: REDIS_URL, prefix: r.prefix },
    access: { users: [{ key: 'slack:T1:U1', name: 'bench', roles: ['viewer' as const] }] },
  };
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'slack-ack-server') await serve(workerData as Role);

/** Built and signed now; each has its own trigger_id, as Slack's do. */
function signedHelp(url: string, n: number): Prepared {
  const body = slashBody({ team_id: 'T1', user_id: 'U1', user_name: 'bench', command: '/help', trigger_id: `bench-${process.pid}-${n}-${Math.random()}` });
  return prepared(url, signedPost(body, SECRET));
}
