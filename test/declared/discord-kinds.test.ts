import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBurnQueue } from '../../src/services/queue/memory.js';
import { agentFixture, type AgentFixture } from '../helpers/agent-fixture.js';
import { startDiscordBot, USERS, type DiscordBot } from '../helpers/discord-bot.js';
import { createTestDatabase, readOnlyUser, seedTasks, type ReadOnlyUser, type TestDatabase } from '../helpers/mysql.js';

/**
 * A declared sql and run command from Discord (the http kind is test/declared/discord.test.ts): signed
 * interactions into the real endpoint, answered in the callback or, when deferred, through the REST double.
 */
let bot: DiscordBot;
let db: TestDatabase;
let f: AgentFixture;
let ro: ReadOnlyUser;
beforeAll(async () => {
  db = await createTestDatabase({ tasks: 'classic', migrate: false });
  await seedTasks(db, { Success: 2, Failed: 5 });
  ro = await readOnlyUser(db, 'tasks');
  f = await agentFixture([]);
  const script = join(f.root, 'uptime.mjs');
  await writeFile(script, "console.log(' 12:00:00 up 9 days,  load average: 0.10');\n");
  await f.start({ commands: { uptime: { argv: [process.execPath, script], refPattern: '^x$', timeoutSec: 10 } } });
  bot = await startDiscordBot({
    mode: 'http',
    sources: { shop: { url: ro.url } },
    commands: [
      { name: 'orders-by-status', description: 'Orders in one status', kind: 'sql', source: 'shop', args: [{ name: 'status', type: 'string', pattern: '[A-Za-z]{1,20}' }], query: 'SELECT task_status AS status, COUNT(*) AS n FROM tasks WHERE task_status = :status GROUP BY task_status', roles: ['viewer'] },
      { name: 'uptime', description: 'How long a host has been up', kind: 'run', agent: 'a1', run: 'uptime', quick: true, roles: ['viewer'] },
    ],
    burns: { devices: f.client(), queue: new MemoryBurnQueue() },
  });
});
afterAll(async () => {
  await bot?.stop();
  await f?.cleanup();
  await ro?.drop();
  await db.drop();
});

/** The answer: the callback's content, or the original message's once the deferred answer has edited it. */
async function ask(command: string, options: { name: string; type: number; value: string }[] = []): Promise<string> {
  const payload = bot.double.interaction({ command, options, userId: USERS.viewer });
  const r = await bot.post(payload);
  const data = r.json?.data as { content?: string } | undefined;
  if (data?.content && !/running on a1…$/.test(data.content)) return data.content;
  return bot.double.waitFor(() => {
    const text = bot.double.original(payload.token)?.content ?? '';
    return text && !/running on a1…$/.test(text) ? text : undefined;
  });
}

describe('declared sql and run commands on Discord', () => {
  it('sql: /orders-by-status answers with a table from the SELECT-only source', async () => {
    const text = await ask('orders-by-status', [{ name: 'status', type: 3, value: 'Failed' }]);
    expect(text).toMatch(/^\/orders-by-status: 1 row/);
    expect(text).toMatch(/Failed\s+\|?\s*5/);
    expect(bot.audit.records.at(-1)).toMatchObject({ command: 'orders-by-status', outcome: 'ok', principalKey: `discord:${USERS.viewer}` });
  });

  it('run: /uptime answers in place from the agent', async () => {
    const text = await ask('uptime');
    expect(text).toMatch(/^\/uptime on a1: ✔/);
    expect(text).toContain('up 9 days');
  });
});
