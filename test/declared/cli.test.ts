import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/cli/doctor.js';
import { runManifest } from '../../src/cli/manifest.js';
import { createTestDatabase, MYSQL_HOST, MYSQL_PORT, type TestDatabase } from '../helpers/mysql.js';

let dir = '';
let db: TestDatabase;
const made: string[] = [];
const url = { ro: '', rw: '' };
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsline-declared-cli-'));
  db = await createTestDatabase({ tasks: 'classic', migrate: false });
  for (const [kind, grants] of [['ro', 'SELECT'], ['rw', 'SELECT, UPDATE']] as const) {
    const user = `${db.name}_${kind}`;
    const password = randomBytes(12).toString('hex');
    await db.admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
    await db.admin.query(`GRANT ${grants} ON ${db.name}.tasks TO '${user}'@'%'`);
    made.push(user);
    url[kind] = `mysql://${user}:${password}@${MYSQL_HOST}:${MYSQL_PORT}/${db.name}`;
  }
});
afterAll(async () => {
  for (const u of made) await db.admin.query(`DROP USER IF EXISTS '${u}'@'%'`);
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

function sink(): { stream: Writable; text: () => string } {
  let out = '';
  return {
    stream: new Writable({
      write(c: Buffer, _e, cb) {
        out += c.toString();
        cb();
      },
    }),
    text: () => out,
  };
}

async function file(config: unknown): Promise<string> {
  const path = join(dir, `${randomBytes(4).toString('hex')}.json`);
  await writeFile(path, JSON.stringify(config));
  return path;
}

const orders = (source: string) => ({ name: 'orders-by-status', description: 'Orders in one status', kind: 'sql', source, args: [{ name: 'status', type: 'enum', values: ['done', 'failed'] }], query: 'SELECT COUNT(*) AS n FROM tasks WHERE task_status = :status', roles: ['viewer'] });

describe('opsline doctor with sources', () => {
  it('passes a SELECT-only user and fails one that may UPDATE, naming the privilege', async () => {
    const out = sink();
    const code = await runDoctor(await file({ sources: { ro: { url: url.ro }, rw: { url: url.rw } }, commands: [orders('ro'), { ...orders('rw'), name: 'orders-rw' }] }), { out: out.stream });
    expect(code).toBe(1);
    const lines = out.text().split('\n');
    expect(lines.find((l) => l.includes('source ro'))).toMatch(/^ok +source ro +.*_ro can only SELECT \(\/orders-by-status\)$/);
    expect(lines.find((l) => l.includes('source rw'))).toMatch(/^FAIL source rw +.*not read-only: the user may UPDATE/);
  });

  it('refuses a declared command named as the Slack umbrella command, with the file and the key (as start would)', async () => {
    const slack = { botToken: 'xoxb-1', signingSecret: 's', umbrellaCommand: 'orders-by-status' };
    const path = await file({ slack, sources: { ro: { url: url.ro } }, commands: [orders('ro')] });
    await expect(runDoctor(path, { out: sink().stream })).rejects.toThrow(`invalid config ${path}:\n  - commands.0.name: /orders-by-status is Slack's umbrella command here (slack.umbrellaCommand: orders-by-status); choose another name`);
  });

  it('refuses a declared command that takes a built-in name, with the file and the key', async () => {
    const path = await file({ sources: { ro: { url: url.ro } }, commands: [{ ...orders('ro'), name: 'audit' }] });
    await expect(runDoctor(path, { out: sink().stream })).rejects.toThrow(`invalid config ${path}:\n  - commands.0.name: /audit is a built-in command`);
  });
});

describe('opsline manifest slack with declared commands', () => {
  it('lists them with their usage hint', async () => {
    const out = sink();
    const err = sink();
    const code = await runManifest({ platform: 'slack', format: 'json', url: 'https://bot.example.com', configFlag: await file({ sources: { ro: { url: url.ro } }, commands: [orders('ro')] }), out: out.stream, err: err.stream });
    expect(code).toBe(0);
    const manifest = JSON.parse(out.text()) as { features: { slash_commands: { command: string; usage_hint?: string; description: string }[] } };
    expect(manifest.features.slash_commands.find((c) => c.command === '/orders-by-status')).toMatchObject({ description: 'Orders in one status', usage_hint: '<done|failed>' });
  });
});
