import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { loadPlugins, withPlugins } from '../../commands/plugins/load.js';
import { applicationCommands } from '../../src/adapters/discord/commands-json.js';
import { buildApp } from '../../src/app/main.js';
import { runDoctor } from '../../src/cli/doctor.js';
import { runManifest } from '../../src/cli/manifest.js';
import { buildConfig, parseConfig } from '../../src/config/load.js';
import { command, writePlugin } from '../helpers/plugin-files.js';

// `plugins:` at load (docs/plugins.md, "What is refused at load"): each refusal names the module and the reason.
let dir = '';
const log = pino({ level: 'silent' });
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsline-plugins-'));
  await writePlugin(dir, 'ops/hello.js', command('hello'));
  await writePlugin(dir, 'ops/dice.js', `export default [defineCommand({ name: 'dice', description: 'Rolls a die', args: [{ name: 'sides', type: 'integer', description: 'how many sides', min: 2, max: 100, required: true }], roles: ['operator'], handler: (ctx) => String(ctx.args.sides) })];`);
  await writePlugin(dir, 'ops/deploy.js', command('deploy'));
  await writePlugin(dir, 'ops/again.js', command('hello'));
  await writePlugin(dir, 'ops/remind.js', command('remind'));
  await writePlugin(dir, 'ops/no-roles.js', command('open-door', "roles: []"));
  await writePlugin(dir, 'ops/long.js', command('wordy', `roles: ['viewer'], description: '${'x'.repeat(101)}'`).replace("description: 'A plugin command', ", ''));
  await writePlugin(dir, 'ops/plain.js', 'export default { name: "sneaky", description: "no defineCommand", roles: ["viewer"], handler: () => "x" };');
  await writePlugin(dir, 'ops/throws.js', 'throw new Error("boom at import");');
  // A package, resolved from the config file's directory as Node resolves it.
  await writePlugin(dir, 'node_modules/acme-tools/index.js', command('uptime-web'));
  await writeFile(join(dir, 'node_modules/acme-tools/package.json'), JSON.stringify({ name: 'acme-tools', type: 'module', exports: './index.js' }));
  await mkdir(join(dir, 'etc'), { recursive: true });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const source = () => join(dir, 'opsline.yaml');
const load = (plugins: string[], extra: Record<string, unknown> = {}) => loadPlugins(buildConfig({ plugins, ...extra }), source(), commands, log);

describe('loading plugins', () => {
  it('loads a path relative to the config file and a package, each command or list', async () => {
    const defs = await load(['./ops/hello.js', './ops/dice.js', 'acme-tools']);
    expect(defs.map((d) => d.name)).toEqual(['hello', 'dice', 'uptime-web']);
    expect(defs[1]!.roles).toEqual(['operator']);
  });

  it('refuses a plugin that registers a built-in name, naming the module', async () => {
    await expect(load(['./ops/hello.js', './ops/deploy.js'])).rejects.toThrow(`invalid config ${source()}:\n  - plugins.1 (./ops/deploy.js): /deploy is a built-in command; a plugin cannot replace it`);
  });

  it.each([
    [['./ops/hello.js', './ops/again.js'], 'plugins.1 (./ops/again.js): /hello is registered by plugins.0 (./ops/hello.js) too'],
    [['./ops/remind.js'], "plugins.0 (./ops/remind.js): /remind is one of Slack's own commands"],
    [['./ops/no-roles.js'], 'plugins.0 (./ops/no-roles.js): /open-door: roles: name at least one role: a plugin command is denied by default'],
    [['./ops/long.js'], "plugins.0 (./ops/long.js): /wordy: description: at most 100 characters (Discord's limit)"],
    [['./ops/plain.js'], 'plugins.0 (./ops/plain.js): its default export is not a command made with defineCommand from opsline'],
    [['./ops/throws.js'], 'plugins.0 (./ops/throws.js): cannot load: boom at import'],
    [['./ops/missing.js'], 'plugins.0 (./ops/missing.js): cannot load: Cannot find module'],
    [['no-such-package'], "plugins.0 (no-such-package): cannot load: Cannot find module 'no-such-package'"],
  ])('refuses %j', async (plugins, message) => {
    await expect(load(plugins)).rejects.toThrow(message);
  });

  it('refuses a plugin command that a declared command already names, and a reload that declares a plugin name', async () => {
    const declared = { name: 'hello', description: 'Declared', kind: 'http', method: 'GET', url: 'http://127.0.0.1:9/x', reply: '{status}', roles: ['viewer'] };
    await expect(load(['./ops/hello.js'], { commands: [declared] })).rejects.toThrow('plugins.0 (./ops/hello.js): /hello is declared under commands: too');
    const app = await buildApp(buildConfig({}), { log, plugins: await load(['./ops/hello.js']) });
    try {
      const plan = app.planReload(buildConfig({ commands: [declared] }));
      expect(plan.ok).toBe(false);
      expect(!plan.ok && plan.issues.join('\n')).toContain("commands.0.name: /hello is a plugin's command (plugins:)");
      expect(app.registry.get('hello')?.description).toBe('A plugin command');
    } finally {
      await app.stop();
    }
  });
});

function sink(): { stream: Writable; text: () => string } {
  let out = '';
  return { stream: new Writable({ write: (c: Buffer, _e, cb) => ((out += c.toString()), cb()) }), text: () => out };
}

describe('plugins in the one-shot commands', () => {
  it('opsline doctor refuses a module that fails to load, with its path and the error', async () => {
    const path = join(dir, 'doctor.yaml');
    await writeFile(path, 'plugins: [./ops/throws.js]\n');
    await expect(runDoctor(path, { out: sink().stream })).rejects.toThrow(`invalid config ${path}:\n  - plugins.0 (./ops/throws.js): cannot load: boom at import`);
  });

  it('opsline manifest slack and Discord registration list plugin commands with their typed options', async () => {
    const path = join(dir, 'manifest.yaml');
    await writeFile(path, 'plugins: [./ops/hello.js, ./ops/dice.js]\n');
    const out = sink();
    expect(await runManifest({ platform: 'slack', format: 'json', url: 'https://bot.example.com', configFlag: path, out: out.stream, err: sink().stream })).toBe(0);
    const slash = (JSON.parse(out.text()) as { features: { slash_commands: { command: string; usage_hint?: string }[] } }).features.slash_commands;
    expect(slash.find((c) => c.command === '/dice')).toMatchObject({ usage_hint: '<sides>' });
    const listed = await withPlugins(commands, parseConfig('plugins: [./ops/dice.js]\n', {}, path));
    const dice = applicationCommands(listed).find((c) => c.name === 'dice');
    expect(dice?.options).toEqual([expect.objectContaining({ name: 'sides', type: 4, required: true, min_value: 2, max_value: 100 })]);
  });
});
