import { randomBytes } from 'node:crypto';
import { isMainThread, workerData } from 'node:worker_threads';
import { signedPost, slashBody } from '../test/helpers/slack-request.js';
import { pairedLoad, prepared, withServer, type Prepared } from './http-load.js';
import { BARE_ANSWER, dropPrefix, REDIS_URL, serveProduction } from './production-endpoint.js';

const SECRET = 'bench-signing-secret';
const USER = { team: 'T1', user: 'U1' };

interface Role {
  readonly role: 'status-slack-opsline';
  /** The seeded bench database and its tasks table. */
  readonly db: string;
  readonly statuses: readonly string[];
  readonly prefix: string;
}

/** A signed request whose answer counts only when the ack carries `answer` (an empty ack, a refusal or an error reply fails it). */
function answering(send: Prepared, answer: string): Prepared {
  return async () => {
    const res = await send();
    return res.body.includes(answer) ? res : { status: 0, body: res.body };
  };
}

/**
 * Signed `/status all` at `rate` req/s against opsline's Slack endpoint on the production path
 * (bench/production-endpoint.ts: `buildApp` on MySQL and Redis, the cached status service, the
 * audit row) and against the bare node:http handler in the same worker, which does the same Redis
 * SET NX for dedup and acks a constant, fed the same signed requests: the ack rows' method
 * (`pairedLoad`, in turns), with every answer checked for the counts.
 */
export async function cachedStatusOverSlack(db: string, rows: number, statuses: readonly string[], rate: number, seconds: number): Promise<{ subject: number[]; baseline: number[]; failures: number }> {
  const prefix = `opsline-bench-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    return await withServer(new URL(import.meta.url), { role: 'status-slack-opsline', db, statuses, prefix }, (base, bareBase) =>
      pairedLoad(
        { rate, seconds },
        (n) => answering(signed(`${base}/slack/events`, '/status', 'all', n), `all time: ${rows} total`),
        (n) => answering(signed(`${bareBase}/slack/events`, '/status', 'all', n), BARE_ANSWER),
      ),
    );
  } finally {
    await dropPrefix(prefix);
  }
}

/** Worker: opsline's Slack endpoint on the production path over the bench database, and the bare handler. */
async function serve(r: Role): Promise<void> {
  const raw = {
    slack: { signingSecret: SECRET, botToken: 'xoxb-bench', apiUrl: 'http://127.0.0.1:9/api/' },
    mysql: { url: `mysql://root@127.0.0.1:3306/${r.db}` },
    redis: { url: REDIS_URL, prefix: r.prefix },
    status: { table: `${r.db}.tasks`, statusColumn: 'task_status', statuses: [...r.statuses], refreshMs: 0, cacheMs: 1000 },
    access: { users: [{ key: `slack:${USER.team}:${USER.user}`, name: 'bench', roles: ['viewer'] }] },
  };
  await serveProduction(raw, 'slack', r.prefix);
}

if (!isMainThread && (workerData as Role | null)?.role === 'status-slack-opsline') await serve(workerData as Role);

function signed(url: string, command: string, text: string, n: number): Prepared {
  const body = slashBody({ team_id: USER.team, user_id: USER.user, user_name: 'bench', command, text, trigger_id: `bench-${process.pid}-${n}-${Math.random()}` });
  return prepared(url, signedPost(body, SECRET), true);
}
