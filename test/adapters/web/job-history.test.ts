import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, Db, MysqlJobLog } from '../../../src/services/db/index.js';
import { pruneJobLog } from '../../../src/services/job-log/index.js';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, type TestDatabase } from '../../helpers/mysql.js';
import { REDIS_URL, redisPrefix } from '../../helpers/redis.js';
import { until } from '../../helpers/until.js';
import { webBot } from '../../helpers/web-bot.js';

// Durable job history and output (docs/web.md, "Job history and output"), against MariaDB as the bot's
// least-privilege user: a job page shows the whole output after its worker and its relay stream are gone.
const OPS = 'console:olga';
const silent = pino({ level: 'silent' });
let db: TestDatabase;
const keys = redisPrefix();
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await keys.cleanup();
  await db?.drop();
});

/** Element text as escape-html wrote it, read back. */
const text = (h: string) => h.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('job history and output in MySQL', () => {
  it('keeps a burn\'s numbered output and result after its worker stopped and its relay stream was trimmed', async () => {
    const config = { mysql: { url: db.appUrl() }, redis: { url: REDIS_URL, prefix: keys.prefix }, access: { users: [{ key: OPS, roles: ['operator' as const] }] } };
    const first = await webBot(config, { demoAgent: true });
    const queued = await first.say(OPS, '/burn sample.iso');
    const id = /burn job (b[a-z0-9]{6})/.exec(queued.text)?.[1] ?? '';
    expect(id, queued.text).not.toBe('');
    await first.app.idle();
    const store = first.app.services.jobLog!;
    await until(async () => (await store.get(id))?.endedAt !== undefined);
    const stored = await db.sql<{ n: number; line: string }>('SELECT n, line FROM job_output WHERE job_id = ? ORDER BY n', [id]);
    expect(stored.map((r) => r.n)).toEqual(stored.map((_, i) => i + 1));
    expect(stored[0]?.line).toMatch(/^writing sample\.iso/);
    expect(stored.map((r) => r.line).join('\n'), JSON.stringify(stored)).toMatch(/ejected|eject skipped/);
    await first.stop();
    // The relay keeps a thread's updates in a capped stream: trim it to nothing, as time and MAXLEN would.
    const redis = new Redis(REDIS_URL);
    const threads = await redis.keys(`${keys.prefix}:thread:*`);
    expect(threads.length).toBeGreaterThan(0);
    for (const k of threads) await redis.xtrim(k, 'MAXLEN', 0);
    redis.disconnect();

    // Another process, with no burn queue or worker at all: the page comes from MySQL alone.
    const second = await webBot(config);
    try {
      const cookie = await second.signIn(OPS);
      const page = await second.page(`/web/jobs/${id}`, cookie);
      expect(page.status).toBe(200);
      const shown = [...page.body.matchAll(/<li value="(\d+)">([^<]*)<\/li>/g)].map((m) => `${m[1]} ${text(m[2] ?? '')}`);
      expect(shown).toEqual(stored.map((r) => `${r.n} ${r.line}`));
      expect(page.body).toMatch(/<p id="result">burn of sample\.iso on \S+ finished ✔/);
      expect(page.body).not.toContain('data-events');
      // The history reads the same record: outcome and how long it ran.
      const jobs = await second.page('/web/jobs', cookie);
      const row = new RegExp(`<a href="/web/jobs/${id}">${id}</a></td><td>burn</td><td class="ok">ok</td><td>(\\d+ s|\\d+ min \\d+ s)</td>`);
      expect(jobs.body).toMatch(row);
      // Its live stream has only the last word to give, from the record.
      const events = await (await fetch(`${second.base}/web/jobs/${id}/events`, { headers: { cookie } })).text();
      expect(events).toMatch(/^id: final\nevent: final\ndata: .*finished ✔/m);
      // A page that followed the live thread before it expired (its last id a relay position) still gets it.
      const late = await (await fetch(`${second.base}/web/jobs/${id}/events`, { headers: { cookie, 'last-event-id': '1700000000000-3' } })).text();
      expect(late).toMatch(/^id: final\nevent: final\ndata: .*finished ✔/m);
      // A line of output is text on the page, whatever it holds.
      await second.app.services.jobLog!.append(id, [{ n: 10_000, text: '<script>alert(1)</script>' }]);
      expect((await second.page(`/web/jobs/${id}`, cookie)).body).toContain('<li value="10000">&lt;script&gt;alert(1)&lt;/script&gt;</li>');
    } finally {
      await second.stop();
    }
  }, 90_000);

  it('prunes jobs that ended before the retention, with their lines, and keeps the rest; a re-attaching worker continues the numbering', async () => {
    const pool = createPool({ host: MYSQL_HOST, port: MYSQL_PORT, user: db.appUser, password: db.appPassword, database: db.name, timeoutMs: 5000, poolSize: 2 });
    const store = new MysqlJobLog(new Db(pool, 5000, silent));
    const now = new Date();
    const ago = (days: number) => new Date(now.getTime() - days * 86_400_000);
    const start = (id: string, startedAt: Date) => store.begin({ id, kind: 'deploy', summary: `deploy ${id}`, requester: 'olga', requesterKey: OPS, startedAt });
    try {
      for (const [id, days] of [['old1', 40], ['old2', 31], ['new1', 2]] as const) {
        expect(await start(id, ago(days))).toBe(1);
        await store.append(id, [{ n: 1, text: 'one' }, { n: 2, text: 'two' }]);
        await store.end(id, { outcome: 'ok', result: 'done', endedAt: ago(days) });
      }
      expect(await start('running', ago(45))).toBe(1);
      await store.append('running', [{ n: 1, text: 'still going' }]);
      // A worker that takes the job over begins it again: the first start stays, the numbering goes on.
      expect(await start('running', now)).toBe(2);
      expect((await store.get('running'))?.startedAt.getTime()).toBe(ago(45).getTime());

      const pruning = pruneJobLog(store, 30 * 86_400_000, () => now, silent);
      expect(await pruning.once()).toBe(2);
      await pruning.stop();
      for (const id of ['old1', 'old2']) {
        expect(await store.get(id), id).toBeUndefined();
        expect(await store.lines(id, 0, 10), id).toEqual([]);
      }
      const kept = (await store.history(10)).map((j) => j.id);
      expect(kept).toContain('new1');
      expect(kept).not.toContain('old1');
      expect(await store.lines('new1', 0, 10)).toEqual([{ n: 1, text: 'one' }, { n: 2, text: 'two' }]);
      // A job that has not ended is never pruned, however old its start.
      expect(await store.lines('running', 0, 10)).toEqual([{ n: 1, text: 'still going' }]);
      expect(await store.prune(ago(30))).toBe(0);
    } finally {
      await pool.end();
    }
  });

  it('keeps how each job ended as its code said it, the first end only; an end written before migration 7 reads from ok', async () => {
    const pool = createPool({ host: MYSQL_HOST, port: MYSQL_PORT, user: db.appUser, password: db.appPassword, database: db.name, timeoutMs: 5000, poolSize: 2 });
    const store = new MysqlJobLog(new Db(pool, 5000, silent));
    const at = new Date();
    try {
      for (const outcome of ['ok', 'failed', 'cancelled', 'not_queued', 'lost'] as const) {
        const id = `out-${outcome}`;
        await store.begin({ id, kind: 'burn', summary: `burn ${id}`, requester: 'olga', requesterKey: OPS, startedAt: at });
        await store.end(id, { outcome, result: `✔ words that say otherwise (${outcome})`, endedAt: at });
        // Another path that saw the same job end (a lost-worker sweep, say) changes nothing.
        await store.end(id, { outcome: outcome === 'ok' ? 'failed' : 'ok', result: 'second', endedAt: new Date(at.getTime() + 1000) });
        const r = await store.get(id);
        expect([r?.outcome, r?.ok, r?.result], id).toEqual([outcome, outcome === 'ok', `✔ words that say otherwise (${outcome})`]);
      }
      expect(await db.sql<{ n: number }>("SELECT COUNT(*) AS n FROM job_ends WHERE job_id LIKE 'out-%'")).toEqual([{ n: 5 }]);
      // A row as migration 6 wrote it: no outcome column value.
      await store.begin({ id: 'before7', kind: 'deploy', summary: 'deploy before7', requester: 'olga', requesterKey: OPS, startedAt: at });
      await db.sql('INSERT INTO job_ends (job_id, ended_at, ok, result) VALUES (?, ?, 0, ?)', ['before7', at, 'failed']);
      expect((await store.get('before7'))?.outcome).toBe('failed');
    } finally {
      await pool.end();
    }
  });
});
