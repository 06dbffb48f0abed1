import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { commands as builtins } from '../../commands/index.js';
import { buildConfig, ConfigError } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { buildApp } from '../../src/app/main.js';
import { withDeclared } from '../../commands/declared/list.js';
import { checkGrants } from '../../commands/declared/sources.js';

const ok = { name: 'queue-depth', description: 'Depth', kind: 'http', url: 'http://127.0.0.1:9/q', roles: ['viewer'] } as const;
const sql = { name: 'orders-today', description: 'Orders', kind: 'sql', source: 'app', query: 'SELECT 1 AS one', roles: ['viewer'] } as const;
const sources = { app: { url: 'mysql://ro:pw@127.0.0.1:3306/app' } };

/** The issues a config with these declared commands is refused with, at load or when the app is built. */
async function refusal(commands: unknown[], more: Partial<ConfigInput> = {}): Promise<string[]> {
  try {
    const config = buildConfig({ access: { users: [] }, sources, commands, ...more } as ConfigInput, 'bot.yaml');
    const app = await buildApp(config, { log: pino({ level: 'silent' }) });
    await app.stop();
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
}

describe('commands: at load', () => {
  it.each([
    ['no roles', [{ ...ok, roles: undefined }], 'commands.0.roles'],
    ['empty roles', [{ ...ok, roles: [] }], 'commands.0.roles: name at least one role'],
    ['an unknown key', [{ ...ok, shell: 'rm -rf /' }], 'shell'],
    ['an unknown kind', [{ ...ok, kind: 'exec' }], 'commands.0.kind'],
    ['a built-in name', [{ ...ok, name: 'deploy' }], 'commands.0.name: /deploy is a built-in command'],
    ["a Slack built-in's name", [{ ...ok, name: 'remind' }], "commands.0.name: /remind is one of Slack's own commands"],
    ['a name Discord refuses', [{ ...ok, name: 'Queue' }], 'commands.0.name'],
    ['constructor as a name', [{ ...ok, name: 'constructor' }], 'commands.0.name: constructor is a reserved name'],
    ['a duplicate', [ok, ok], 'commands.1.name: duplicate command name queue-depth'],
    ['a slot in the host after a vault reference', [{ ...ok, url: 'http://{vault:ops/q#host}:{port}/api', args: [{ name: 'port', type: 'integer' }] }], 'commands.0.url: the scheme and host are configured text'],
    ['user as an argument', [{ ...ok, args: [{ name: 'user', type: 'string' }] }], 'commands.0.args.0.name: user is reserved'],
    ['vault as an argument', [{ ...ok, args: [{ name: 'vault', type: 'string' }] }], 'commands.0.args.0.name: vault is reserved'],
    ['__proto__ as an argument', [{ ...ok, args: [{ name: '__proto__', type: 'string' }] }], 'commands.0.args.0.name'],
    ['constructor as an argument', [{ ...ok, args: [{ name: 'constructor', type: 'string' }] }], 'commands.0.args.0.name: constructor is a reserved name'],
    ['a bad pattern', [{ ...ok, args: [{ name: 'q', type: 'string', pattern: '(' }] }], 'commands.0.args.0.pattern: not a valid regular expression'],
    ['a slot that names no argument', [{ ...ok, url: 'http://x/{queue}' }], 'commands.0.url: {queue} names no argument'],
    ['a caller value in the host', [{ ...ok, args: [{ name: 'host', type: 'string' }], url: 'http://{host}.internal/x' }], 'commands.0.url: the scheme and host are configured text'],
    ['an unknown source', [{ ...sql, source: 'nope' }], 'commands.0.source: no source named nope'],
    ['a write', [{ ...sql, query: 'DELETE FROM orders' }], 'commands.0.query: one SELECT statement'],
    ['two statements', [{ ...sql, query: 'SELECT 1; DROP TABLE x' }], 'commands.0.query: one SELECT statement'],
    ['a template slot in SQL', [{ ...sql, args: [{ name: 'day', type: 'string' }], query: "SELECT * FROM o WHERE d = '{day}'" }], 'commands.0.query: bind arguments as :name'],
  ])('refuses %s, naming the key and the reason', async (_what, commands, says) => {
    const issues = await refusal(commands);
    expect(issues.join('\n')).toContain(says);
  });

  it('takes a well-formed set, and access.commands may name a declared command', async () => {
    expect(await refusal([ok, sql], { access: { users: [], commands: { 'queue-depth': ['operator'] } } })).toEqual([]);
  });

  it('gives the platforms typed options: an enum is a list of choices', () => {
    const config = buildConfig({ commands: [{ ...ok, args: [{ name: 'queue', type: 'enum', values: ['orders', 'emails'] }] }] } as unknown as ConfigInput);
    const def = withDeclared(builtins, config).find((c) => c.name === 'queue-depth')!;
    expect(def.args).toMatchObject([{ name: 'queue', type: 'string', choices: ['orders', 'emails'], required: true }]);
    expect(def.usage).toBe('/queue-depth <orders|emails>');
  });

  it('reads a kind: run entry beside http and sql, as a command with its typed argument', () => {
    const run = { name: 'uptime', description: 'Uptime', kind: 'run', agent: 'burner1', run: 'uptime', quick: true, roles: ['viewer'], args: [{ name: 'unit', pattern: '^[a-z]{1,10}$' }] };
    const config = buildConfig({ sources, commands: [ok, sql, run] } as unknown as ConfigInput);
    const def = withDeclared(builtins, config).find((c) => c.name === 'uptime')!;
    expect(def).toMatchObject({ roles: ['viewer'], sideEffects: false, args: [{ name: 'unit', type: 'string', required: true }] });
  });
});

describe('SHOW GRANTS', () => {
  it('passes only SELECT and USAGE', () => {
    expect(checkGrants(['GRANT USAGE ON *.* TO `ro`@`%` IDENTIFIED BY PASSWORD \'*AB\'', 'GRANT SELECT ON `app`.`orders` TO `ro`@`%`'])).toEqual({ readOnly: true });
    expect(checkGrants(['GRANT SELECT, INSERT ON `app`.* TO `rw`@`%`'])).toMatchObject({ readOnly: false, reason: expect.stringContaining('INSERT') });
    expect(checkGrants(['GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION'])).toMatchObject({ readOnly: false });
    expect(checkGrants(['GRANT `reporting` TO `ro`@`%`'])).toMatchObject({ readOnly: false });
  });
});
