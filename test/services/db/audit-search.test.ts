import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditSink, type AuditQuery, type AuditRecord } from '../../../src/core/audit.js';
import { MysqlAuditSink } from '../../../src/services/db/audit.js';
import { createPool, Db, type Pool } from '../../../src/services/db/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mysql.js';

let db: TestDatabase;
let pool: Pool;
let sink: MysqlAuditSink;
const memory = new MemoryAuditSink();
const silent = pino({ level: 'silent' });

const base = Date.parse('2026-12-01T00:00:00Z');
const rec = (i: number, principalKey: string, command: string, outcome: AuditRecord['outcome']): AuditRecord => ({
  at: new Date(base + i * 3_600_000),
  invocationId: `inv-${i}`,
  principalKey,
  platform: 'web',
  room: 'web',
  command,
  argsJson: '{}',
  decision: outcome === 'refused' ? 'deny' : 'allow',
  outcome,
  durationMs: i,
});
const records = [
  rec(0, 'slack:T1:UALICE', 'burn start', 'ok'),
  rec(1, 'slack:T1:UBOB', 'burn cancel', 'refused'),
  rec(2, 'console:100%_sure', 'whoami', 'ok'),
  rec(3, 'slack:T1:UALICE', 'burnt', 'refused'),
  rec(4, 'console:x1sure', 'status', 'error'),
  ...Array.from({ length: 7 }, (_, k) => rec(5 + k, 'discord:123456', 'jobs', 'ok')),
];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ host: '127.0.0.1', port: 3306, user: db.appUser, password: db.appPassword, database: db.name, timeoutMs: 2000, poolSize: 2 });
  sink = new MysqlAuditSink(new Db(pool, 2000, silent), silent);
  for (const r of records) {
    sink.write(r);
    memory.write(r);
  }
  await sink.flush();
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const q = (over: Partial<AuditQuery>): AuditQuery => ({ offset: 0, limit: 50, ...over });
const ids = (rows: readonly { invocationId: string }[]) => rows.map((r) => r.invocationId);

describe('the audit search in MySQL', () => {
  const cases: [string, AuditQuery, string[]][] = [
    ['user part', q({ user: 'ALICE' }), ['inv-3', 'inv-0']],
    ['% and _ as plain characters', q({ user: '%_sure' }), ['inv-2']],
    ['a command and its subcommands, not a longer word', q({ command: 'burn' }), ['inv-1', 'inv-0']],
    ['outcome', q({ outcome: 'refused' }), ['inv-3', 'inv-1']],
    ['time range', q({ from: new Date(base + 1 * 3_600_000), to: new Date(base + 3 * 3_600_000) }), ['inv-3', 'inv-2', 'inv-1']],
    ['everything together', q({ user: 'slack', command: 'burn', outcome: 'ok', to: new Date(base) }), ['inv-0']],
    ['a page', q({ command: 'jobs', offset: 2, limit: 3 }), ['inv-9', 'inv-8', 'inv-7']],
  ];
  for (const [name, query, want] of cases) {
    it(`filters by ${name}, as the in-memory search does`, async () => {
      const got = await sink.search(query);
      expect(ids(got.rows)).toEqual(want);
      expect(ids((await memory.search(query)).rows)).toEqual(want);
    });
  }

  it('says whether an older page follows', async () => {
    expect((await sink.search(q({ command: 'jobs', limit: 7 }))).more).toBe(false);
    expect((await sink.search(q({ command: 'jobs', limit: 6 }))).more).toBe(true);
    expect((await sink.search(q({ command: 'jobs', offset: 4, limit: 3 }))).more).toBe(false);
  });
});
