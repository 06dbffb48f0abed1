import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { buildPlugins } from '../../commands/plugins/check.js';
import { buildApp, type App } from '../../src/app/main.js';
import { buildConfig } from '../../src/config/load.js';
import { defineCommand, reply } from '../../src/sdk/index.js';
import { dispatchLine } from '../helpers/command-line.js';
import { createTestDatabase, type TestDatabase } from '../helpers/mysql.js';

// The plugin ports on the real services (docs/plugins.md, "The context"): a plugin command run by the
// real dispatcher of `opsline start`'s composition root, on MariaDB with the bot's least-privilege user.

let db: TestDatabase | undefined;
let app: App | undefined;
afterEach(async () => {
  await app?.stop();
  await db?.drop();
  app = db = undefined;
});

const logIt = defineCommand({
  name: 'log-it',
  description: 'Notes two things and reads the counts',
  args: [{ name: 'text', type: 'text', description: 'what to note', required: true }],
  roles: ['writer'],
  sideEffects: true,
  handler: async (ctx) => {
    const a = await ctx.notes.add(ctx.args.text);
    const b = await ctx.notes.add(`${ctx.args.text}, again`);
    const r = await ctx.status.report();
    return reply(JSON.stringify({ ids: [a.id, b.id], durable: ctx.notes.durable, windows: ctx.status.windows, total: r.total, counts: r.counts }));
  },
});

it('stores each add of one invocation once in MySQL as the caller, and reads the status counts', async () => {
  db = await createTestDatabase({ tasks: 'classic' });
  await db.sql("INSERT INTO tasks (task_title, task_status) VALUES ('a', 'done'), ('b', 'done'), ('c', 'queued')");
  const config = buildConfig({ mysql: { url: db.appUrl() }, status: { table: 'tasks', statusColumn: 'task_status' }, access: { users: [{ key: 'console:wes', roles: ['writer'] }] } }, 'test');
  const log = pino({ level: 'silent' });
  const built = buildPlugins([{ where: 'test', value: logIt }], { builtins: [], declared: [] }, log);
  if (!built.ok) throw new Error(built.issues.join('; '));
  app = await buildApp(config, { log, plugins: built.commands });

  const r = await dispatchLine(app, 'console:wes', '/log-it rotated the key');
  const got = JSON.parse(r.text) as { ids: number[]; durable: boolean; windows: string[]; total: number; counts: { status: string; count: number }[] };
  expect(got).toMatchObject({ durable: true, windows: ['all'], total: 3 });
  expect(got.counts).toEqual(expect.arrayContaining([{ status: 'done', count: 2 }, { status: 'queued', count: 1 }]));
  const rows = await db.sql<{ id: number; author_key: string; body: string; invocation_id: string }>('SELECT id, author_key, body, invocation_id FROM notes ORDER BY id');
  expect(rows.map((n) => [Number(n.id), n.author_key, n.body])).toEqual([
    [got.ids[0], 'console:wes', 'rotated the key'],
    [got.ids[1], 'console:wes', 'rotated the key, again'],
  ]);
  expect(rows[1]!.invocation_id).toBe(`${rows[0]!.invocation_id}#2`);
  // Through /note as well: the same notebook.
  expect((await dispatchLine(app, 'console:wes', '/note search again')).text).toMatch(/wes .* rotated the key, again/);
});
