import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { buildConfig } from '../src/config/load.js';
import { signedPost, slashBody } from '../test/helpers/slack-request.js';
import { prepared, withServer, type Answer } from './http-load.js';
import { serveSlackEndpoint } from './slack-endpoint.js';

const SECRET = 'bench-signing-secret';
const USER = { team: 'T1', user: 'U1' };
const BARE_ANSWER = 'a constant answer';

interface Role {
  readonly role: 'status-slack-opsline' | 'status-slack-bare';
  /** The seeded bench database and its tasks table (opsline only). */
  readonly db?: string;
  readonly statuses?: readonly string[];
}

/** `callers` loops sending signed `/status all` back to back for `seconds`; answers (acks containing `answer`) per second. */
async function rate(base: string, answer: string, callers: number, seconds: number): Promise<number> {
  let answers = 0;
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < end) {
        const res = await signed(base, '/status', 'all', n++);
        // Both sides answer in the ack; an empty ack, a refusal or an error reply is not an answer.
        if (res.status !== 200 || !res.body.includes(answer)) throw new Error(`status ${res.status}: ${res.body.slice(0, 200)}`);
        answers++;
      }
    }),
  );
  return answers / ((performance.now() - t0) / 1000);
}

/**
 * Signed `/status all` at 8 closed-loop callers against opsline's Slack endpoint (MySQL, the
 * cached status service, the audit row) and against a bare Bolt App on the same HTTPReceiver whose
 * command handler acks a constant (issue 15's baseline). Both servers run in worker threads of
 * this process at once; opsline's load runs in two halves around the bare app's, so drift on a
 * shared machine hits both.
 */
export async function cachedStatusOverSlack(db: string, rows: number, statuses: readonly string[], callers: number, seconds: number): Promise<{ opsline: number; bare: number }> {
  const here = new URL(import.meta.url);
  return withServer(here, { role: 'status-slack-opsline', db, statuses }, (base) =>
    withServer(here, { role: 'status-slack-bare' }, async (bareBase) => {
      const opsline = (s: number) => rate(base, `all time: ${rows} total`, callers, s);
      const bare = (s: number) => rate(bareBase, BARE_ANSWER, callers, s);
      await opsline(1);
      await bare(1);
      const first = await opsline(seconds / 2);
      const b = await bare(seconds);
      return { opsline: (first + (await opsline(seconds / 2))) / 2, bare: b };
    }),
  );
}

/** Worker: opsline's Slack endpoint as `opsline start` mounts it, over the bench database. */
async function serveOpsline(r: Role): Promise<void> {
  const config = buildConfig({
    log: { level: 'silent' },
    slack: { signingSecret: SECRET, botToken: 'xoxb-bench', apiUrl: 'http://127.0.0.1:9/api/' },
    mysql: { url: `mysql://root@127.0.0.1:3306/${r.db}` },
    status: { table: `${r.db}.tasks`, statusColumn: 'task_status', statuses: [...r.statuses!], refreshMs: 0, cacheMs: 1000 },
    access: { users: [{ key: `slack:${USER.team}:${USER.user}`, name: 'bench', roles: ['viewer'] }] },
  });
  await serveSlackEndpoint(config);
}

/** Worker: a bare Bolt App, HTTPReceiver on its own port, acking every command with a constant. */
async function serveBare(): Promise<void> {
  const receiver = new HTTPReceiver({ signingSecret: SECRET, endpoints: ['/slack/events'], logLevel: LogLevel.ERROR });
  const app = new App({ receiver, authorize: async () => ({ botToken: 'xoxb-bench' }), logLevel: LogLevel.ERROR });
  app.command(/^\//, async ({ ack }) => ack({ response_type: 'ephemeral', text: BARE_ANSWER }));
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as { address(): AddressInfo | string | null };
  parentPort!.postMessage((server.address() as AddressInfo).port);
  await once(parentPort!, 'message');
  await app.stop();
  parentPort!.close();
}

const role = (workerData as Role | null)?.role;
if (!isMainThread && role === 'status-slack-opsline') await serveOpsline(workerData as Role);
if (!isMainThread && role === 'status-slack-bare') await serveBare();

function signed(base: string, command: string, text: string, n: number): Promise<Answer> {
  const body = slashBody({ team_id: USER.team, user_id: USER.user, user_name: 'bench', command, text, trigger_id: `bench-${process.pid}-${n}-${Math.random()}` });
  return prepared(`${base}/slack/events`, signedPost(body, SECRET), true)();
}
