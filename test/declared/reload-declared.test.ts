import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotChild, type BotChild } from '../helpers/bot-child.js';
import { postSigned, slashBody } from '../helpers/slack-request.js';
import { until } from '../helpers/until.js';

const SECRET = 'declared-reload-signing-secret';
const paths: string[] = [];
let server: Server;
let target = '';
let dir = '';
let bot: BotChild | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsline-declared-'));
  server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ depth: 7 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await bot?.stop();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

const command = (name: string, roles: string[] = ['viewer']) => ({
  name,
  description: 'Depth of a work queue',
  kind: 'http',
  args: [{ name: 'queue', type: 'enum', values: ['orders', 'emails'] }],
  url: `${target}/api/queues/{queue}`,
  reply: '{queue}: {body.depth} waiting',
  roles,
});
const config = (commands: unknown[]) =>
  JSON.stringify({
    log: { level: 'info' },
    http: { port: 0, host: '127.0.0.1' },
    slack: { signingSecret: SECRET, botToken: 'xoxb-test', apiUrl: 'http://127.0.0.1:9/api/' },
    access: { users: [{ key: 'slack:T1:UVIEW', name: 'vic', roles: ['viewer'] }] },
    commands,
  });

/** A signed slash command from the viewer into the real endpoint; Slack shows the response body. */
async function slash(command: string, text: string): Promise<string> {
  const r = await postSigned(`${bot!.base}/slack/events`, slashBody({ command, text, user_id: 'UVIEW', user_name: 'vic' }), { secret: SECRET });
  expect(r.status).toBe(200);
  return r.text;
}

describe('declared commands in opsline start, reloaded with SIGHUP', () => {
  it('runs one from a signed Slack request, keeps the old set on a broken reload, and swaps in a good one', async () => {
    const file = join(dir, 'bot.json');
    await writeFile(file, config([command('queue-depth')]));
    bot = await startBotChild(file);
    expect(await slash('/queue-depth', 'orders')).toContain('orders: 7 waiting');
    expect(paths).toEqual(['/api/queues/orders']);
    // The umbrella command reaches it too.
    expect(await slash('/opsline', 'queue-depth emails')).toContain('emails: 7 waiting');
    // Hostile: refused with the argument named, and the target sees nothing.
    expect(await slash('/queue-depth', '--upload-pack=x')).toContain('unknown option --upload-pack. Usage: /queue-depth');
    expect(paths).toHaveLength(2);

    // A name that collides with a built-in: refused whole, the reason logged, the old set kept.
    await writeFile(file, config([command('queue-size'), command('deploy')]));
    bot.signal('SIGHUP');
    await until(() => bot!.output().includes('not reloaded'));
    expect(bot.output()).toContain('commands.1.name: /deploy is a built-in command');
    expect(await slash('/queue-depth', 'orders')).toContain('orders: 7 waiting');
    expect(await slash('/queue-size', 'orders')).toContain('unknown command');

    await writeFile(file, config([command('queue-size')]));
    bot.signal('SIGHUP');
    await until(() => bot!.output().includes('declared commands reloaded'));
    expect(await slash('/queue-size', 'emails')).toContain('emails: 7 waiting');
    expect(await slash('/queue-depth', 'orders')).toContain('unknown command');
    expect(await slash('/help', '')).toContain('queue-size');
  }, 60_000);
});
