import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRegister } from '../../src/cli/register.js';
import { startBotChild, type BotChild } from '../helpers/bot-child.js';
import { DiscordDouble } from '../helpers/discord-double.js';
import { IDS } from '../helpers/discord-payloads.js';
import { signingKeys } from '../helpers/discord-request.js';
import { until } from '../helpers/until.js';

/**
 * `opsline start` compares Discord's registered commands with its own at start and after every SIGHUP
 * that reloads the declared commands (docs/discord.md, "Registering commands"): the advice is logged
 * once the sets differ, so an operator who adds a command learns that Discord will not show it yet.
 */
let double: DiscordDouble;
let dir: string;
let bot: BotChild | undefined;
beforeAll(async () => {
  double = await new DiscordDouble().start();
  dir = await mkdtemp(join(tmpdir(), 'opsline-drift-'));
});
afterAll(async () => {
  await bot?.stop('SIGKILL');
  await double?.stop();
  await rm(dir, { recursive: true, force: true });
});

const uptime = { name: 'uptime', description: 'How long a host has been up', kind: 'http', method: 'GET', url: 'http://127.0.0.1:9/uptime', roles: ['viewer'] };
const config = (commands: unknown[]) =>
  JSON.stringify({
    log: { level: 'info' },
    http: { port: 0, host: '127.0.0.1' },
    discord: { mode: 'http', token: double.botToken, applicationId: IDS.application, publicKey: signingKeys().publicKeyHex, apiUrl: double.apiUrl },
    access: { users: [{ key: 'discord:80351110224678912', name: 'alice', roles: ['admin'] }] },
    commands,
  });
const advice = (out: string) => out.split('\n').filter((l) => l.includes("Discord's commands differ from this bot's"));

describe('Discord command drift after a reload', () => {
  it('is silent while Discord has every command, and says which one is missing after a SIGHUP adds one', async () => {
    const file = join(dir, 'bot.json');
    await writeFile(file, config([uptime]));
    expect(await runRegister({ platform: 'discord', configFlag: file, out: new PassThrough(), err: new PassThrough() })).toBe(0);
    const reads = () => double.callsTo('GET', /\/applications\/\d+\/commands$/).length;
    const before = reads();
    bot = await startBotChild(file, 60_000);
    // The start-up comparison read Discord's list and found it equal: no advice.
    await until(() => reads() > before, { timeoutMs: 30_000 });
    expect(advice(bot.output())).toEqual([]);
    await writeFile(file, config([uptime, { ...uptime, name: 'queue-depth', description: 'Depth of a queue' }]));
    bot.signal('SIGHUP');
    await until(() => advice(bot!.output()).length > 0, { timeoutMs: 30_000 });
    const lines = advice(bot.output());
    expect(lines, lines.join("\n")).toHaveLength(1);
    expect(lines[0]).toContain('not registered: /queue-depth');
  }, 120_000);
});
