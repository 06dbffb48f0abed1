import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, Db, MysqlNotesRepository } from '../../../src/services/db/index.js';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, type TestDatabase } from '../../helpers/mysql.js';
import { startBot, WRITER, type Bot } from './harness.js';
import { TcpProxy } from './tcp-proxy.js';
import { until } from '../../helpers/until.js';

let db: TestDatabase;
let proxy: TcpProxy;
let bot: Bot;

beforeAll(async () => {
  db = await createTestDatabase();
  proxy = new TcpProxy(MYSQL_HOST, MYSQL_PORT);
  const port = await proxy.open();
  // A generous deadline: a loaded machine must not turn "saved" into "may or may not be stored".
  bot = await startBot(db.appUrl(port), { mysql: { url: db.appUrl(port), saveDeadlineMs: 120_000 } });
});
afterAll(async () => {
  await proxy?.open();
  await bot?.stop();
  await proxy?.close();
  await db?.drop();
});

describe('/note add saves a note once per invocation', () => {
  it('stores a repeated add of one invocation once and reports the same note (no UPDATE grant needed)', async () => {
    const pool = createPool({ host: MYSQL_HOST, port: MYSQL_PORT, user: db.appUser, password: db.appPassword, database: db.name, timeoutMs: 2000, poolSize: 2 });
    const repo = new MysqlNotesRepository(new Db(pool, 2000, pino({ level: 'silent' })));
    const note = { invocationId: randomUUID(), authorKey: WRITER, authorName: 'wes', platform: 'test', room: 'C1', body: 'only once' };
    const first = await repo.add(note);
    const again = await repo.add(note);
    expect(again.id).toBe(first.id);
    const rows = await db.sql<{ n: number }>('SELECT COUNT(*) AS n FROM notes WHERE invocation_id = ?', [note.invocationId]);
    expect(Number(rows[0]?.n)).toBe(1);
    await pool.end();
  });

  it('answers a value too long for its column specifically, and stores nothing', async () => {
    const pool = createPool({ host: MYSQL_HOST, port: MYSQL_PORT, user: db.appUser, password: db.appPassword, database: db.name, timeoutMs: 2000, poolSize: 1 });
    const repo = new MysqlNotesRepository(new Db(pool, 2000, pino({ level: 'silent' })));
    const note = { invocationId: randomUUID(), authorKey: WRITER, authorName: 'n'.repeat(300), platform: 'test', room: 'C1', body: 'too long a name' };
    await expect(repo.add(note)).rejects.toMatchObject({ code: 'bad_input', message: 'a value is too long to be stored; nothing was saved' });
    expect(await db.sql('SELECT id FROM notes WHERE invocation_id = ?', [note.invocationId])).toEqual([]);
    await pool.end();
  });

  it('tells exactly the callers whose note was stored that it was saved, when answers are lost for 3 s during 200 adds', async () => {
    // Open every pooled connection and prepare the insert on it first (mysql2 prepares once per connection,
    // and a prepare whose answer is lost never runs), so the adds below run while their answers are lost.
    await Promise.all(Array.from({ length: 20 }, () => bot.say(WRITER, '/note add warm-up')));
    const [{ n: before = 0 } = {}] = await db.sql<{ n: number }>('SELECT COUNT(*) AS n FROM notes');
    proxy.dropAnswers();
    const replies = Promise.all(Array.from({ length: 200 }, (_, i) => bot.say(WRITER, `/note add lost-answer ${i}`).then((r) => ({ i, r }))));
    // Event, not clock: the outage only counts once MySQL has stored notes whose callers have not heard back.
    await until(async () => Number((await db.sql<{ n: number }>('SELECT COUNT(*) AS n FROM notes'))[0]?.n) > Number(before));
    await sleep(3000);
    await proxy.open();
    const all = await replies;

    const rows = await db.sql<{ body: string; invocation_id: string }>("SELECT body, invocation_id FROM notes WHERE body LIKE 'lost-answer %'");
    const stored = new Set(rows.map((r) => r.body));
    expect(stored.size, 'no note stored twice').toBe(rows.length);
    expect(new Set(rows.map((r) => r.invocation_id)).size).toBe(rows.length);
    const saved = all.filter(({ r }) => /^note #\d+ saved$/.test(r.text));
    const notSaved = all.filter(({ r }) => /^note not saved: database unavailable/.test(r.text));
    expect(saved.length + notSaved.length, all.map(({ r }) => r.text).find((t) => !/saved/.test(t))).toBe(200);
    expect(saved.length).toBe(rows.length);
    for (const { i } of saved) expect(stored.has(`lost-answer ${i}`)).toBe(true);
    for (const { i } of notSaved) expect(stored.has(`lost-answer ${i}`)).toBe(false);
    expect(new Set(saved.map(({ r }) => r.text)).size, 'each caller names its own note').toBe(saved.length);
  }, 180_000);
});
