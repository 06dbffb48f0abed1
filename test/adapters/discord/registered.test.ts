import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.js';
import { withDeclared } from '../../../commands/declared/list.js';
import { commandDrift, driftAdvice, warnOnDrift } from '../../../src/adapters/discord/registered.js';
import { runRegister } from '../../../src/cli/register.js';
import { buildConfig } from '../../../src/config/load.js';
import type { ConfigInput } from '../../../src/config/schema.js';
import { DiscordDouble } from '../../helpers/discord-double.js';
import { IDS } from '../../helpers/discord-payloads.js';
import { captureLog } from '../../helpers/log-capture.js';

/** What Discord has registered (GET through the REST double) against this bot's command set. */
let double: DiscordDouble;
let dir: string;
beforeAll(async () => {
  double = await new DiscordDouble().start();
  dir = await mkdtemp(join(tmpdir(), 'opsline-registered-'));
});
afterAll(async () => {
  await double.stop();
  await rm(dir, { recursive: true, force: true });
});

const uptime = { name: 'uptime', description: 'How long a host has been up', kind: 'http' as const, method: 'GET' as const, url: 'http://127.0.0.1:9/uptime', roles: ['viewer' as const] };
const input = (declared: ConfigInput['commands']): ConfigInput => ({ discord: { token: double.botToken, applicationId: IDS.bot, apiUrl: double.apiUrl }, commands: declared });
const defsOf = (i: ConfigInput) => withDeclared(commands, buildConfig(i, 'test'));

describe('the commands Discord has registered', () => {
  it('match after opsline register discord; a new, a changed or a removed declared command is named with the advice', async () => {
    const path = join(dir, 'opsline.json');
    await writeFile(path, JSON.stringify(input([uptime])));
    expect(await runRegister({ platform: 'discord', configFlag: path, out: new PassThrough(), err: new PassThrough() })).toBe(0);
    const discord = buildConfig(input([uptime]), 'test').discord!;
    expect(await commandDrift(discord, defsOf(input([uptime])))).toEqual({ missing: [], extra: [], changed: [] });

    const added = { ...uptime, name: 'queue-depth', description: 'Depth of a queue' };
    const drift = await commandDrift(discord, defsOf(input([{ ...uptime, description: 'Uptime of a host' }, added])));
    expect(drift).toEqual({ missing: ['queue-depth'], extra: [], changed: ['uptime'] });
    expect(driftAdvice(drift)).toBe("Discord's commands differ from this bot's (not registered: /queue-depth; changed: /uptime): run `opsline register discord`");
    expect(driftAdvice(await commandDrift(discord, defsOf(input([]))))).toBe("Discord's commands differ from this bot's (registered but gone: /uptime): run `opsline register discord`");
  });

  it('start logs the advice once when they differ, and a comparison that fails says so without stopping anything', async () => {
    const discord = buildConfig(input([uptime]), 'test').discord!;
    const c = captureLog();
    await warnOnDrift(discord, defsOf(input([uptime, { ...uptime, name: 'orders' }])), c.log);
    expect(c.lines.filter((l) => l.includes('opsline register discord'))).toHaveLength(1);
    expect(c.lines[0]).toContain('not registered: /orders');
    const bad = captureLog();
    await warnOnDrift({ ...discord, token: 'wrong-token' }, defsOf(input([uptime])), bad.log);
    expect(bad.lines.join('')).toMatch(/could not compare the commands Discord has registered/);
  });
});
