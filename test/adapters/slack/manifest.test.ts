import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { commands } from '../../../commands/index.js';
import { SLACK_BUILTINS } from '../../../src/words/slack-builtins.js';
import { slackManifest } from '../../../src/adapters/slack/manifest.js';
import { defineCommand } from '../../../src/core/define-command.js';
import { reply } from '../../../src/core/reply.js';
import { runManifest } from '../../../src/cli/manifest.js';

// A config without a slack section: the manifest falls back to http mode and no prefix.
const dir = mkdtempSync(join(tmpdir(), 'opsline-manifest-'));
const plain = join(dir, 'plain.yaml');
writeFileSync(plain, 'log: { level: warn }\n');

type SlashCommand = { command: string; url?: string; description: string; usage_hint?: string; should_escape: boolean };
const slashCommands = (m: Record<string, unknown>) => (m.features as { slash_commands: SlashCommand[] }).slash_commands;

async function run(args: Partial<Parameters<typeof runManifest>[0]>): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (c: Buffer) => (o += String(c)));
  err.on('data', (c: Buffer) => (e += String(c)));
  const code = await runManifest({ platform: 'slack', format: 'json', configFlag: plain, out, err, ...args });
  return { code, out: o, err: e };
}

describe('slack manifest', () => {
  it('lists every registry command with its description, usage hint and request URL', () => {
    const m = slackManifest(commands, { prefix: '', mode: 'http', baseUrl: 'https://bot.example.org/' });
    const cmds = slashCommands(m);
    // The umbrella first, then every command; /status is a Slack built-in and gets its accepted name.
    expect(cmds.map((c) => c.command)).toEqual(['/opsline', ...commands.map((c) => (c.name === 'status' ? '/ops-status' : `/${c.name}`))]);
    const note = cmds.find((c) => c.command === '/note');
    expect(note).toEqual({
      command: '/note',
      url: 'https://bot.example.org/slack/events',
      description: 'The team notebook',
      usage_hint: 'add <text> | list [n] | search <words>',
      should_escape: false,
    });
    // /access names users: Slack must send `@bob` as <@U…|bob>; everything else gets its text as typed.
    expect(cmds.filter((c) => c.should_escape).map((c) => c.command)).toEqual(['/access']);
    expect(m.oauth_config).toEqual({ scopes: { bot: ['commands', 'chat:write'] } });
    // access.slackGroups reads user group members: only then is usergroups:read asked for.
    expect(slackManifest(commands, { prefix: '', mode: 'http', userGroups: true }).oauth_config).toEqual({ scopes: { bot: ['commands', 'chat:write', 'usergroups:read'] } });
    expect(m.settings).toMatchObject({ socket_mode_enabled: false, interactivity: { is_enabled: true, request_url: expect.stringMatching(/\/slack\/events$/) } });
  });

  it('uses socket mode instead of request URLs, and applies the prefix', () => {
    const m = slackManifest(commands, { prefix: 'ops-', mode: 'socket' });
    const cmds = slashCommands(m);
    expect(cmds.every((c) => c.url === undefined && (c.command === '/opsline' || c.command.startsWith('/ops-')))).toBe(true);
    expect(m.settings).toMatchObject({ socket_mode_enabled: true });
  });

  it('refuses a non-https request URL', () => {
    expect(() => slackManifest(commands, { prefix: '', mode: 'http', baseUrl: 'http://bot.example.org' })).toThrow(/https/);
  });

  it('prints JSON from the CLI, warning on stderr when the URL is a placeholder', async () => {
    const r = await run({});
    expect(r.code).toBe(0);
    expect(r.err).toContain('no --url or slack.publicUrl');
    const m = JSON.parse(r.out) as Record<string, unknown>;
    expect(slashCommands(m)[0]?.url).toBe('https://opsline.example.com/slack/events');
  });

  it('takes mode and prefix from the config file, and prints YAML on request', async () => {
    const file = join(dir, 'socket.yaml');
    writeFileSync(file, 'slack: { mode: socket, signingSecret: s, botToken: b, appToken: a, commandPrefix: "x-" }\n');
    const r = await run({ configFlag: file, format: 'yaml' });
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const m = parse(r.out) as Record<string, unknown>;
    expect(slashCommands(m).map((c) => c.command)).toContain('/x-status');
    expect(m.settings).toMatchObject({ socket_mode_enabled: true });
  });

  it('takes the request URL from slack.publicUrl', async () => {
    const file = join(dir, 'public.yaml');
    writeFileSync(file, 'slack: { signingSecret: s, botToken: b, publicUrl: "https://ops.example.net/bot" }\n');
    const r = await run({ configFlag: file });
    expect(r.err).toBe('');
    expect(slashCommands(JSON.parse(r.out) as Record<string, unknown>)[0]?.url).toBe('https://ops.example.net/bot/slack/events');
  });

  it('exits 2 for another platform or a bad option', async () => {
    expect((await run({ platform: 'discord' })).code).toBe(2);
    expect((await run({ format: 'xml' })).code).toBe(2);
    expect((await run({ mode: 'carrier-pigeon' })).code).toBe(2);
    expect((await run({ prefix: 'Bad Prefix' })).code).toBe(2);
  });
});

describe('slack manifest: names Slack accepts', () => {
  // '' and 'ops-' are the usual settings; 'a' makes /a + 'way' a built-in with the extra command below.
  const prefixes = ['', 'ops-', 'x-', 'a', 'sh', 'st'];
  const clash = ['way', 'rug', 'ar', 'atus'].map((name) =>
    defineCommand({ name, description: `collides once prefixed: ${name}`, usage: `/${name}`, examples: [], sideEffects: false, roles: ['viewer'], handler: () => reply(name) }),
  );
  const lists = { real: commands, clashing: [...commands, ...clash] };

  for (const prefix of prefixes) {
    for (const [label, list] of Object.entries(lists)) {
      it(`declares no Slack built-in with prefix "${prefix}" (${label} commands)`, () => {
        const names = slashCommands(slackManifest(list, { prefix, mode: 'socket' })).map((c) => c.command);
        expect(names.filter((n) => SLACK_BUILTINS.has(n.slice(1)))).toEqual([]);
        expect(new Set(names).size).toBe(names.length);
        expect(names.every((n) => /^\/[a-z0-9_-]{1,31}$/.test(n))).toBe(true);
        expect(names).toContain('/opsline');
      });
    }
  }

  it('gives /status the accepted name /ops-status without a prefix, and keeps /ops-status with one', () => {
    expect(slashCommands(slackManifest(commands, { prefix: '', mode: 'socket' })).map((c) => c.command)).toContain('/ops-status');
    expect(slashCommands(slackManifest(commands, { prefix: 'ops-', mode: 'socket' })).map((c) => c.command)).toContain('/ops-status');
  });

  it('refuses, with the reason, an umbrella that is a built-in or a command name, and an over-long name', () => {
    expect(() => slackManifest(commands, { prefix: '', mode: 'socket', umbrella: 'who' })).toThrow(/\/who: one of Slack's built-in/);
    expect(() => slackManifest(commands, { prefix: '', mode: 'socket', umbrella: 'note' })).toThrow(/\/note: declared twice/);
    const long = defineCommand({ name: 'a'.repeat(31), description: 'long', usage: '/x', examples: [], sideEffects: false, roles: ['viewer'], handler: () => reply('') });
    expect(() => slackManifest([long], { prefix: 'ops-', mode: 'socket' })).toThrow(/longer than 32/);
    expect(() => slackManifest(commands, { prefix: '', mode: 'socket', name: 'n'.repeat(36) })).toThrow(/display_information.name/);
  });

  it('exits 2 from the CLI with the reason instead of printing a manifest Slack refuses', async () => {
    const r = await run({ umbrella: 'remind' });
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain("/remind: one of Slack's built-in commands");
  });
});
