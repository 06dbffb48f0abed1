import { randomBytes } from 'node:crypto';
import { isMainThread, workerData } from 'node:worker_threads';
import { signedPost, slashBody } from '../test/helpers/slack-request.js';
import { prepared, withServer, type Answer } from './http-load.js';
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

/** `callers` loops sending signed `/status all` back to back for `seconds`; answers (acks containing `answer`) per second. */
async function rate(url: string, answer: string, callers: number, seconds: number): Promise<number> {
  let answers = 0;
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < end) {
        const res = await signed(url, '/status', 'all', n++);
        // Both sides answer in the ack; an empty ack, a refusal or an error reply is not an answer.
        if (res.status !== 200 || !res.body.includes(answer)) throw new Error(`status ${res.status}: ${res.body.slice(0, 200)}`);
        answers++;
      }
    }),
  );
  return answers / ((performance.now() - t0) / 1000);
}

/** Turns this long, opsline then bare, so drift on a shared machine hits both. */
const SLICE_S = 1;

/**
 * Signed `/status all` at `callers` closed-loop callers against opsline's Slack endpoint on the
 * production path (bench/production-endpoint.ts: `buildApp` on MySQL and Redis, the cached status
 * service, the audit row) and against the bare node:http handler in the same worker, which does
 * the same Redis SET NX for dedup and acks a constant, fed the same signed requests. 1 s turns.
 */
export async function cachedStatusOverSlack(db: string, rows: number, statuses: readonly string[], callers: number, seconds: number): Promise<{ opsline: number; bare: number }> {
  const prefix = `opsline-bench-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    return await withServer(new URL(import.meta.url), { role: 'status-slack-opsline', db, statuses, prefix }, async (base, bareBase) => {
      const opsline = (s: number) => rate(`${base}/slack/events`, `all time: ${rows} total`, callers, s);
      const bare = (s: number) => rate(`${bareBase}/slack/events`, BARE_ANSWER, callers, s);
      await opsline(1);
      await bare(1);
      const sum = { opsline: 0, bare: 0, turns: 0 };
      for (let s = 0; s < seconds; s += SLICE_S) {
        sum.opsline += await opsline(SLICE_S);
        sum.bare += await bare(SLICE_S);
        sum.turns++;
      }
      return { opsline: sum.opsline / sum.turns, bare: sum.bare / sum.turns };
    });
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

function signed(url: string, command: string, text: string, n: number): Promise<Answer> {
  const body = slashBody({ team_id: USER.team, user_id: USER.user, user_name: 'bench', command, text, trigger_id: `bench-${process.pid}-${n}-${Math.random()}` });
  return prepared(url, signedPost(body, SECRET), true)();
}
