import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, Db, MysqlNotesRepository } from '../../../src/services/db/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mysql.js';
import { ADMIN, startBot, VIEWER, WRITER, type Bot } from './harness.js';

let db: TestDatabase;
let bot: Bot;

beforeAll(async () => {
  db = await createTestDatabase();
  bot = await startBot(db.appUrl());
});
afterAll(async () => {
  await bot?.stop();
  await db?.drop();
});

async function noteCount(): Promise<number> {
  const [row] = await db.sql<{ n: number }>('SELECT COUNT(*) AS n FROM notes');
  return Number(row?.n);
}

async function lastBody(): Promise<string> {
  const [row] = await db.sql<{ body: string }>('SELECT body FROM notes ORDER BY id DESC LIMIT 1');
  return String(row?.body);
}

describe('/note against MySQL', () => {
  it('adds a note with author, platform and room, and lists it newest first with id, author and age', async () => {
    const r = await bot.say(WRITER, '/note add rotated the backup key');
    expect(r.text).toMatch(/^note #\d+ saved$/);
    const [row] = await db.sql<Record<string, unknown>>('SELECT * FROM notes ORDER BY id DESC LIMIT 1');
    expect(row).toMatchObject({ author_key: WRITER, author_name: 'writer', platform: 'test', room: 'C1', body: 'rotated the backup key' });
    await bot.say(WRITER, '/note add second note');
    const list = await bot.say(VIEWER, '/note list 2');
    const lines = list.text.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^#\d+ writer · just now — second note$/);
    expect(lines[1]).toMatch(/^#\d+ writer · just now — rotated the backup key$/);
  });

  it('stores SQL injection strings, emoji and quotes verbatim', async () => {
    const tableCount = async () =>
      Number((await db.sql<{ n: number }>('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ?', [db.name]))[0]?.n);
    const tablesBefore = await tableCount();
    expect(tablesBefore).toBeGreaterThanOrEqual(5);
    for (const body of [
      "'; DROP TABLE notes; --",
      'x" OR 1=1 -- ',
      'Robert\'); DELETE FROM audit_log WHERE (\'1\'=\'1',
      '🚀 deploy done 👍🏽 𝄞 and 中文',
      '\\x00 backslash \\ and `backticks`',
    ]) {
      const before = await noteCount();
      expect((await bot.say(WRITER, `/note add ${body}`)).text).toMatch(/saved/);
      expect(await noteCount()).toBe(before + 1);
      expect(await lastBody()).toBe(body.trim());
    }
    // Every table the migrations made is still there.
    expect(await tableCount()).toBe(tablesBefore);
  });

  it('refuses a NUL byte, an empty note and a 2001-character note; accepts exactly 2000; nothing else changes', async () => {
    const before = await noteCount();
    expect((await bot.say(WRITER, '/note add a\u0000b')).code).toBe('bad_input');
    expect((await bot.say(WRITER, '/note add    ')).text).toMatch(/missing text/);
    const long = await bot.say(WRITER, `/note add ${'x'.repeat(2001)}`);
    expect(long.code).toBe('usage');
    expect(long.text).toMatch(/too long \(2001 characters, at most 2000\)/);
    expect(await noteCount()).toBe(before);
    expect((await bot.say(WRITER, `/note add ${'y'.repeat(2000)}`)).text).toMatch(/saved/);
    expect(await lastBody()).toBe('y'.repeat(2000));
  });

  it('refuses n of 0, -1, 1e9 and abc with a specific reply', async () => {
    for (const n of ['0', '-1', '1e9', 'abc', '51']) {
      const r = await bot.say(VIEWER, `/note list ${n}`);
      expect(r.code, n).toBe('usage');
      expect(r.text, n).toMatch(/n must be a whole number from 1 to 50/);
    }
    expect((await bot.say(VIEWER, '/note list 50')).code).toBeUndefined();
  });

  it('searches case-insensitively for all words, with % and _ taken literally', async () => {
    await bot.say(WRITER, '/note add disk at 100% on db1');
    await bot.say(WRITER, '/note add disk at 1000 on db2');
    await bot.say(WRITER, '/note add rename file_name to filename');
    await bot.say(WRITER, '/note add Backup of DB1 restored');
    expect((await bot.say(VIEWER, '/note search 100%')).text).toMatch(/100% on db1/);
    expect((await bot.say(VIEWER, '/note search 100%')).text).not.toMatch(/1000/);
    const under = await bot.say(VIEWER, '/note search file_name');
    expect(under.text).toMatch(/file_name/);
    expect(under.text.split('\n')).toHaveLength(1);
    expect((await bot.say(VIEWER, '/note search %')).text.split('\n')).toHaveLength(1);
    expect((await bot.say(VIEWER, '/note search _')).text).toMatch(/file_name/);
    const both = await bot.say(VIEWER, '/note search db1 BACKUP');
    expect(both.text.split('\n')).toHaveLength(1);
    expect(both.text).toMatch(/Backup of DB1 restored/);
    // The quotes are the tokenizer's: this searches for the literal "zz OR a=a", which no note contains.
    expect((await bot.say(VIEWER, "/note search zz' OR 'a'='a")).text).toMatch(/^no notes match/);
  });

  it('refuses a search of no words or more than eight words', async () => {
    expect((await bot.say(VIEWER, '/note search "" \'\'')).text).toMatch(/give at least one word/);
    const many = await bot.say(VIEWER, '/note search a b c d e f g h i');
    expect(many.code).toBe('bad_input');
    expect(many.text).toBe('search takes at most 8 words');
    expect((await bot.say(VIEWER, '/note search a b c d e f g h')).text).toMatch(/^(no notes match|#)/);
  });

  it('finds emoji exactly, not any other 4-byte character', async () => {
    await bot.say(WRITER, '/note add launch 🚀 went fine');
    await bot.say(WRITER, '/note add smile 😀 only');
    const r = await bot.say(VIEWER, '/note search 🚀');
    expect(r.text).toMatch(/launch 🚀 went fine/);
    expect(r.text).not.toMatch(/smile/);
  });

  it('lets a viewer read but not add', async () => {
    const before = await noteCount();
    expect((await bot.say(VIEWER, '/note add sneaky')).code).toBe('denied');
    expect(await noteCount()).toBe(before);
    expect((await bot.say(ADMIN, '/note add admin may')).text).toMatch(/saved/);
  });

  it('the repository stores what the chat layer would refuse (a NUL byte, control characters) verbatim', async () => {
    const pool = createPool({ host: '127.0.0.1', port: 3306, user: db.appUser, password: db.appPassword, database: db.name, timeoutMs: 2000, poolSize: 1 });
    const repo = new MysqlNotesRepository(new Db(pool, 2000, pino({ level: 'silent' })));
    const body = 'nul\u0000byte\u0007bell 🚀 \'quote\' 100%_';
    const saved = await repo.add({ authorKey: 'discord:12345', authorName: '🦊 fox', platform: 'discord', room: '99999', body });
    const [listed] = await repo.list(1);
    expect(listed).toEqual(saved);
    expect(listed?.body).toBe(body);
    expect((await repo.search(['\u0000byte'], 5)).map((n) => n.id)).toEqual([saved.id]);
    await pool.end();
  });
});
