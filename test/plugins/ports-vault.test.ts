import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { buildPlugins } from '../../commands/plugins/check.js';
import { buildApp, type App } from '../../src/app/main.js';
import { buildConfig, envReader } from '../../src/config/load.js';
import { defineCommand } from '../../src/sdk/index.js';
import { dispatchLine } from '../helpers/command-line.js';
import { botPolicy, VaultDouble } from '../helpers/vault-double.js';
import { ROLE } from '../helpers/vault-world.js';

// ctx.secrets on the bot's own Vault client (docs/plugins.md, "The context"; docs/vault.md): the reader
// deploy webhooks and declared templates use, read on each call; env: from the environment the config had.

let vault: VaultDouble;
beforeAll(async () => {
  vault = await VaultDouble.start();
  vault.kv.set('opsline/queues', { token: 'queue-token-123' });
  vault.kv.set('other/thing', { token: 'not-for-the-bot' });
});
afterAll(async () => {
  await vault?.close();
});
let app: App | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

const peek = defineCommand({
  name: 'peek',
  description: 'Reads a secret reference',
  args: [{ name: 'ref', type: 'string', description: 'the reference', required: true }],
  roles: ['viewer'],
  // A reply that shows a secret is for this test only: what a handler returns is shown to the caller.
  handler: async (ctx) => `got ${await ctx.secrets.get(ctx.args.ref)}`,
});

async function start(config: Record<string, unknown>, lines: string[]): Promise<App> {
  const log = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
  const built = buildPlugins([{ where: 'test', value: peek }], { builtins: [], declared: [] }, log);
  if (!built.ok) throw new Error(built.issues.join('; '));
  const full = buildConfig({ ...config, access: { users: [{ key: 'console:vic', roles: ['viewer'] }] } }, 'test');
  return buildApp(full, { log, plugins: built.commands, env: envReader({ QUEUE_URL: 'https://queues.example.com' }) });
}

it('reads vault: through the Vault client on every call and env: from the environment, logging no value', async () => {
  const lines: string[] = [];
  app = await start({ vault: { addr: vault.addr, token: vault.addToken(botPolicy('database', ROLE)) } }, lines);
  expect((await dispatchLine(app, 'console:vic', '/peek vault:opsline/queues#token')).text).toBe('got queue-token-123');
  vault.kv.set('opsline/queues', { token: 'rotated-456' });
  expect((await dispatchLine(app, 'console:vic', '/peek vault:opsline/queues#token')).text).toBe('got rotated-456');
  expect((await dispatchLine(app, 'console:vic', '/peek env:QUEUE_URL')).text).toBe('got https://queues.example.com');
  const denied = await dispatchLine(app, 'console:vic', '/peek vault:other/thing#token');
  expect([denied.code, denied.text]).toEqual(['unavailable', 'secret vault:other/thing#token cannot be read from Vault (HTTP 403: permission denied)']);
  expect((await dispatchLine(app, 'console:vic', '/peek env:HOME')).code).toBe('not_configured');
  expect(lines.join('')).not.toMatch(/queue-token-123|rotated-456|not-for-the-bot/);
});

it('says not configured for a vault: reference without a vault section', async () => {
  app = await start({}, []);
  const r = await dispatchLine(app, 'console:vic', '/peek vault:opsline/queues#token');
  expect([r.code, r.text]).toEqual(['not_configured', 'secret vault:opsline/queues#token: no vault section is configured']);
});
