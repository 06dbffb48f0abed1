import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationCommands } from '../../src/adapters/discord/commands-json.js';
import { startDiscordBot, USERS, type DiscordBot } from '../helpers/discord-bot.js';

const seen: string[] = [];
let server: Server;
let bot: DiscordBot;
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ depth: 42 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const many = Array.from({ length: 30 }, (_, i) => `q${i}`);
  bot = await startDiscordBot({
    mode: 'http',
    commands: [
      { name: 'queue-depth', description: 'Depth of a work queue', kind: 'http', args: [{ name: 'queue', type: 'enum', values: ['orders', 'emails'] }], url: `${base}/q/{queue}`, reply: '{queue}: {body.depth} waiting', roles: ['viewer'] },
      { name: 'queue-drain', description: 'Operators only', kind: 'http', method: 'POST', args: [{ name: 'queue', type: 'enum', values: many }], url: `${base}/drain/{queue}`, roles: ['operator'] },
    ],
  });
});
afterAll(async () => {
  await bot?.stop();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const content = (r: { json?: Record<string, unknown> }) => (r.json?.data as { content?: string } | undefined)?.content ?? '';

describe('a declared command on Discord', () => {
  it('runs from a slash command with a typed option', async () => {
    const r = await bot.post(bot.double.interaction({ command: 'queue-depth', options: [{ name: 'queue', type: 3, value: 'orders' }], userId: USERS.viewer }));
    expect(content(r)).toBe('orders: 42 waiting');
    expect(seen).toEqual(['/q/orders']);
    expect(bot.audit.records.at(-1)).toMatchObject({ command: 'queue-depth', outcome: 'ok', principalKey: `discord:${USERS.viewer}` });
  });

  it('refuses an option value outside its choices (a forged interaction), naming the argument; nothing sent', async () => {
    const before = bot.audit.records.length;
    const r = await bot.post(bot.double.interaction({ command: 'queue-depth', options: [{ name: 'queue', type: 3, value: '../admin' }], userId: USERS.viewer }));
    expect(content(r)).toContain('queue must be one of: orders, emails');
    expect(seen).toEqual(['/q/orders']);
    expect(bot.audit.records.length).toBe(before + 1);
  });

  it('refuses a viewer a command that names operator, and sends nothing', async () => {
    const r = await bot.post(bot.double.interaction({ command: 'queue-drain', options: [{ name: 'queue', type: 3, value: 'q1' }], userId: USERS.viewer }));
    expect(content(r)).toContain('needs the operator role');
    expect(seen).toEqual(['/q/orders']);
  });

  it('is registered with choices, and autocomplete over 25 of them', () => {
    const json = applicationCommands(bot.app.registry.all());
    expect(json.find((c) => c.name === 'queue-depth')?.options).toMatchObject([{ name: 'queue', type: 3, required: true, choices: [{ name: 'orders', value: 'orders' }, { name: 'emails', value: 'emails' }] }]);
    expect(json.find((c) => c.name === 'queue-drain')?.options).toMatchObject([{ name: 'queue', autocomplete: true }]);
  });
});
