import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.js';
import { discordCommandProblems } from '../../../src/adapters/discord/commands-check.js';
import { applicationCommands } from '../../../src/adapters/discord/commands-json.js';
import { runRegister } from '../../../src/cli/register.js';
import { defineCommand, type CommandDef } from '../../../src/core/define-command.js';
import { reply } from '../../../src/core/reply.js';
import { DiscordDouble } from '../../helpers/discord-double.js';
import { IDS } from '../../helpers/discord-payloads.js';

const burnLike = defineCommand({
  name: 'burnlike',
  description: `A command with a very long description ${'x'.repeat(120)}`,
  usage: '/burnlike start <image> [drive] [--no-verify]',
  examples: [],
  roles: ['operator'],
  sideEffects: true,
  subcommands: {
    start: {
      description: 'start',
      usage: '/burnlike start <image>',
      args: [
        { name: 'drive', type: 'string', description: 'drive', choices: Array.from({ length: 30 }, (_, i) => `d${i}`) },
        { name: 'image', type: 'string', description: 'image', required: true, autocomplete: 'images', maxLength: 128 },
        { name: 'no-verify', type: 'boolean', description: 'skip the verify pass', flag: true },
      ],
      roles: ['operator'],
      sideEffects: true,
      handler: () => reply('ok'),
    },
  },
});

describe('application commands from the definitions', () => {
  it('turns args into typed options and subcommands into SUB_COMMAND options', () => {
    const json = applicationCommands(commands);
    const status = json.find((c) => c.name === 'status');
    expect(status).toMatchObject({ type: 1, contexts: [0] });
    expect(status?.options).toEqual([
      { type: 3, name: 'window', description: 'time window', required: false, choices: ['today', '24h', '7d', 'all'].map((v) => ({ name: v, value: v })) },
    ]);
    const note = json.find((c) => c.name === 'note');
    expect(note?.options?.map((o) => [o.type, o.name])).toEqual([[1, 'add'], [1, 'list'], [1, 'search']]);
    expect(note?.options?.[0]).toMatchObject({ options: [{ type: 3, name: 'text', required: true, max_length: 2000 }] });
    expect(note?.options?.[1]).toMatchObject({ options: [{ type: 4, name: 'n', required: false, min_value: 1, max_value: 50 }] });
  });

  it('puts required options first, completes long choice lists, and clips descriptions', () => {
    const [c] = applicationCommands([burnLike]);
    expect(c?.description).toHaveLength(100);
    const start = c?.options?.[0] as { options: { name: string; autocomplete?: boolean; choices?: unknown }[] };
    expect(start.options.map((o) => o.name)).toEqual(['image', 'drive', 'no-verify']);
    expect(start.options[0]).toMatchObject({ autocomplete: true, max_length: 128 });
    expect(start.options[1]).toMatchObject({ autocomplete: true });
    expect(start.options[1]?.choices).toBeUndefined();
    expect(start.options[2]).toMatchObject({ type: 5, required: false });
  });
});

describe("Discord's rules for application commands", () => {
  it('accepts the real commands', () => {
    expect(discordCommandProblems(applicationCommands(commands))).toEqual([]);
  });

  it('names every broken rule: name, description, option count, order, choices, duplicates', () => {
    const opt = (name: string, required = false) => ({ type: 3, name, description: 'd', required });
    const problems = discordCommandProblems([
      { name: 'Bad Name', description: 'x' },
      { name: 'ok', description: '' },
      { name: 'many', description: 'x', options: Array.from({ length: 26 }, (_, i) => opt(`o${i}`)) },
      { name: 'order', description: 'x', options: [opt('a'), opt('b', true)] },
      // Discord's own types forbid this combination; the check must catch it from untyped input too.
      { name: 'choice', description: 'x', options: [{ ...opt('c'), autocomplete: true, choices: [{ name: 'v', value: 'v' }] } as never] },
      { name: 'ok', description: 'again' },
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/Bad Name: the name must be/),
        expect.stringMatching(/^\/ok: the description must be 1–100/),
        expect.stringMatching(/^\/many: 26 options/),
        expect.stringMatching(/^\/order b: a required option must come before/),
        expect.stringMatching(/^\/choice c: choices and autocomplete/),
        expect.stringMatching(/^\/ok: declared twice/),
      ]),
    );
  });
});

describe('opsline register discord', () => {
  let double: DiscordDouble;
  let configPath: string;
  beforeAll(async () => {
    double = await new DiscordDouble().start();
    configPath = join(mkdtempSync(join(tmpdir(), 'opsline-register-')), 'opsline.yaml');
    writeFileSync(configPath, `discord:\n  token: ${double.botToken}\n  applicationId: "${IDS.application}"\n  apiUrl: ${double.apiUrl}\n`);
  });
  afterAll(async () => {
    await double?.stop();
  });

  async function run(guild?: string, list?: readonly CommandDef[]): Promise<{ code: number; out: string; err: string }> {
    const out = new PassThrough();
    const err = new PassThrough();
    const chunks: Buffer[] = [];
    const errs: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    err.on('data', (c: Buffer) => errs.push(c));
    const code = await runRegister({ platform: 'discord', guild, configFlag: configPath, out, err, commands: list });
    return { code, out: Buffer.concat(chunks).toString(), err: Buffer.concat(errs).toString() };
  }

  it('refuses, before sending anything, commands Discord would refuse', async () => {
    const before = double.callsTo('PUT', /commands$/).length;
    const many = defineCommand({
      name: 'many',
      description: 'too many options',
      usage: '/many',
      examples: [],
      sideEffects: false,
      roles: ['viewer'],
      args: Array.from({ length: 26 }, (_, i) => ({ name: `o${i}`, type: 'string' as const, description: 'd' })),
      handler: () => reply('ok'),
    });
    const r = await run(IDS.guild, [many]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('/many: 26 options (at most 25)');
    expect(double.callsTo('PUT', /commands$/)).toHaveLength(before);
  });

  it('bulk-overwrites the guild commands with the bot token', async () => {
    const r = await run(IDS.guild);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^registered ${commands.length} commands guild ${IDS.guild}: /help`));
    const [put] = double.callsTo('PUT', new RegExp(`^/applications/${IDS.application}/guilds/${IDS.guild}/commands$`));
    expect(put?.auth).toBe(`Bot ${double.botToken}`);
    expect(put?.body).toEqual(applicationCommands(commands));
  });

  it('registers globally without --guild and refuses a malformed guild id', async () => {
    expect((await run()).out).toMatch(/ globally: /);
    expect(double.callsTo('PUT', new RegExp(`^/applications/${IDS.application}/commands$`))).toHaveLength(1);
    expect((await run('not-a-guild')).code).toBe(2);
  });

  it('explains a refused token', async () => {
    writeFileSync(configPath, `discord:\n  token: wrong-token\n  applicationId: "${IDS.application}"\n  apiUrl: ${double.apiUrl}\n`);
    await expect(run(IDS.guild)).rejects.toThrow(/Discord refused discord.token \(401\)/);
  });
});
