import { afterEach, describe, expect, it } from 'vitest';
import { LiveChecks, type LiveStream, type StreamCheck } from '../../../src/adapters/web/live-checks.js';
import { hashOf } from '../../../src/services/web/secret.js';
import { HookServer } from '../../helpers/hook-server.js';
import { until } from '../../helpers/until.js';
import { webBot, type WebBot } from '../../helpers/web-bot.js';
import { openStream as open } from '../../helpers/web-stream.js';

/** A stream that has shown the job's live status once. */
async function openStream(b: WebBot, id: string, cookie: string) {
  const s = await open(b, id, cookie);
  await s.until(/event: status/);
  return s;
}

const ADMIN = 'console:admin';
const OPS = 'console:olga';
const DEPLOYER = 'console:dora';
const users = [
  { key: ADMIN, roles: ['admin' as const] },
  { key: OPS, roles: ['operator' as const] },
  { key: DEPLOYER, roles: ['deployer' as const] },
];

let bot: WebBot | undefined;
let hooks: HookServer | undefined;
afterEach(async () => {
  if (hooks) hooks.statusBody = 'done';
  await bot?.stop();
  await hooks?.stop();
  bot = hooks = undefined;
});

/** The bot with a deploy target whose job runs until the hook server's status says done: a job streams can follow. */
async function setUp(): Promise<{ bot: WebBot; hooks: HookServer; job: string }> {
  hooks = await new HookServer().start();
  bot = await webBot({
    deploy: { targets: [{ name: 'site', kind: 'webhook', url: hooks.url('/ok'), poll: { url: hooks.url('/status'), intervalSec: 0.1, doneMatch: 'done', failMatch: 'broken' } }] },
    access: { users },
  });
  const job = /job (d[a-z0-9]{6})/.exec((await bot.say(DEPLOYER, '/deploy site main')).text)?.[1] ?? '';
  expect(job).not.toBe('');
  return { bot, hooks, job };
}


const secretOf = (cookie: string) => cookie.slice(cookie.indexOf('=') + 1).split(';')[0] ?? '';

describe('live streams: one re-check a round for each session, the same answer for each of its streams', () => {
  it('ends every stream of every session of a principal taken off the allowlist at the next round, and no one else\'s', async () => {
    const { bot: b, hooks: h, job } = await setUp();
    const [first, second, admin] = [await b.signIn(OPS), await b.signIn(OPS), await b.signIn(ADMIN)];
    // Two pages open in one session, one in another, and someone else's.
    const olga = [await openStream(b, job, first), await openStream(b, job, first), await openStream(b, job, second)];
    const other = await openStream(b, job, admin);

    b.app.access.reload({ users: users.filter((u) => u.key !== OPS) });
    await Promise.all(olga.map((s) => s.closed));
    // Signed out, as a page would have signed them out: both sessions ended.
    expect((await b.page('/web/jobs', first)).status).toBe(401);
    expect((await b.page('/web/jobs', second)).status).toBe(401);

    h.statusBody = 'done';
    await other.closed;
    expect(other.text).toMatch(/event: final/);
    for (const s of olga) expect(s.text).not.toMatch(/event: final/);
  }, 60_000);

  it('ends the streams of a session ended elsewhere (another replica, the shared store) at the next round, all of them and only them', async () => {
    const { bot: b, hooks: h, job } = await setUp();
    const [ended, kept] = [await b.signIn(OPS), await b.signIn(OPS)];
    const gone = [await openStream(b, job, ended), await openStream(b, job, ended)];
    const stays = await openStream(b, job, kept);

    // Not through this process's pages: the store alone says the session is over.
    expect(await b.app.services.web!.sessions.end(hashOf(secretOf(ended)))).toBe(true);
    await Promise.all(gone.map((s) => s.closed));

    h.statusBody = 'done';
    await stays.closed;
    expect(stays.text).toMatch(/event: final/);
    for (const s of gone) expect(s.text).not.toMatch(/event: final/);
    expect((await b.page('/web/jobs', kept)).status).toBe(200);
  }, 60_000);
});

describe('LiveChecks', () => {
  it('asks once a round for each session and, when asked, once for each job, whatever the number of streams', async () => {
    const asked: string[][] = [];
    const endedAsked: string[] = [];
    const rounds: { secret: string; check: StreamCheck | 'failed'; ended: string | undefined }[] = [];
    const checks = new LiveChecks(
      (secrets) => {
        asked.push([...secrets]);
        return new Map(secrets.map((s) => [s, s === 'broken' ? Promise.reject(new Error('store down')) : Promise.resolve<StreamCheck>(s === 'a' ? 'ok' : 'gone')]));
      },
      async (job) => {
        endedAsked.push(job);
        return job === 'j1' ? 'done' : undefined;
      },
      20,
    );
    const stream = (secret: string, job: string): LiveStream => ({
      secret,
      job,
      round: (check, ended) =>
        void Promise.all([check.catch(() => 'failed' as const), ended()]).then(([c, e]) => rounds.push({ secret, check: c, ended: e })),
    });
    const leave = [stream('a', 'j1'), stream('a', 'j1'), stream('a', 'j2'), stream('b', 'j1'), stream('broken', 'j2')].map((s) => checks.join(s));
    await until(() => rounds.length >= 5);
    for (const l of leave) l();
    expect(checks.size).toBe(0);
    expect(asked[0]).toEqual(['a', 'b', 'broken']);
    expect(endedAsked.slice(0, 2)).toEqual(['j1', 'j2']);
    expect(rounds.slice(0, 5)).toEqual(
      expect.arrayContaining([
        { secret: 'a', check: 'ok', ended: 'done' },
        { secret: 'a', check: 'ok', ended: undefined },
        { secret: 'b', check: 'gone', ended: 'done' },
        { secret: 'broken', check: 'failed', ended: undefined },
      ]),
    );
  });
});
