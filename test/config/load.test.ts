import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, buildConfig, configPath, loadConfigFile, parseConfig } from '../../src/config/load.js';
import { demoConfig } from '../../src/config/demo.js';

function issues(text: string, env: Record<string, string> = {}): readonly string[] {
  try {
    parseConfig(text, env, 'test.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('substitutes ${ENV} and reports the substituted values as secrets', () => {
    const { config, secrets } = parseConfig(
      'slack: { signingSecret: "${SS}", botToken: "xoxb-${TOK}" }\nhttp: { port: 3100 }',
      { SS: 'sekrit-value', TOK: 'abcd1234' },
      't',
    );
    expect(config.slack?.signingSecret).toBe('sekrit-value');
    expect(config.slack?.botToken).toBe('xoxb-abcd1234');
    expect(config.slack?.mode).toBe('http');
    expect(config.http).toEqual({ port: 3100, host: '0.0.0.0' });
    expect(secrets).toEqual(['sekrit-value', 'abcd1234']);
  });

  it('lists every offending key path with what was expected', () => {
    const found = issues(
      [
        'http: { port: 99999 }',
        'log: { level: loud }',
        'slack: { mode: socket, signingSecret: "${MISSING}", botToken: x }',
        'status: { table: "tasks; DROP TABLE x", statusColumn: "a b" }',
        'access: { users: [ { key: "alice", roles: [king] } ] }',
        'surprise: 1',
      ].join('\n'),
    );
    const text = found.join('\n');
    expect(text).toContain('slack.signingSecret: environment variable MISSING is not set');
    expect(text).toMatch(/^http\.port: /m);
    expect(text).toMatch(/^log\.level: /m);
    expect(text).toContain('status.table: a plain table name, optionally schema.table');
    expect(text).toMatch(/^status\.statusColumn: a plain identifier/m);
    expect(text).toMatch(/^access\.users\.0\.key: slack:<team_id>:<user_id>/m);
    expect(text).toMatch(/^access\.users\.0\.roles\.0: /m);
    expect(text).toMatch(/surprise/);
  });

  it('checks rules that span keys', () => {
    expect(issues('slack: { mode: socket, signingSecret: s, botToken: b }')).toContain('slack.appToken: required when slack.mode is socket');
    expect(issues('mysql: { timeoutMs: 500 }').join('\n')).toMatch(/^mysql: needs url/m);
    expect(issues('mysql: { vault: { role: r } }')).toContain('vault: required by mysql.vault');
    expect(issues('discord: { mode: http, token: t, applicationId: "1100000000000000001" }')).toContain(
      'discord.publicKey: required when discord.mode is http',
    );
  });

  it('accepts schema-qualified status tables and plain identifiers only', () => {
    const c = buildConfig({ status: { table: 'flasktest.tasks', statusColumn: 'task_status' } });
    expect(c.status).toMatchObject({ table: 'flasktest.tasks', statusColumn: 'task_status', cacheMs: 0, doneStatuses: ['Success'] });
    for (const bad of ['a.b.c', '`x`', 'x--', '1abc', 'a b', "t'"])
      expect(() => buildConfig({ status: { table: bad, statusColumn: 's' } })).toThrow(ConfigError);
  });

  it('counts status in the background by default; cacheMs is for on demand only (issue 28)', () => {
    const c = buildConfig({ status: { table: 'tasks', statusColumn: 's' } });
    expect(c.status).toMatchObject({ refreshMs: 30_000, refreshTimeoutMs: 60_000, cacheMs: 0, snapshotRetention: 30 * 86_400_000 });
    expect(buildConfig({ status: { table: 'tasks', statusColumn: 's', refreshMs: 0, cacheMs: 5000 } }).status?.cacheMs).toBe(5000);
    // A config written before background counts (cacheMs, no refreshMs) keeps answering on demand.
    expect(buildConfig({ status: { table: 'tasks', statusColumn: 's', cacheMs: 5000 } }).status).toMatchObject({ refreshMs: 0, cacheMs: 5000 });
    expect(issues('status: { table: tasks, statusColumn: s, refreshMs: 30000, cacheMs: 5000 }')).toContain(
      'status.cacheMs: applies only on demand (status.refreshMs: 0); background counts are at most refreshMs old',
    );
  });

  it('refuses a __proto__ key instead of letting it vanish from a map', () => {
    expect(issues('access:\n  commands:\n    __proto__: [admin]\n    note: [viewer]\n')).toContain('access.commands.__proto__: a key named __proto__ cannot be used');
  });

  it('reports YAML syntax errors', () => {
    expect(issues('http: [unclosed')[0]).toMatch(/^YAML: /);
  });

  it('says where a YAML error is, in one clean line', () => {
    const found = issues('log:\n  level: info\n   bad: x\n');
    expect(found.length).toBeGreaterThan(0);
    for (const line of found) expect(line).toMatch(/^YAML: [^\n]+ at line \d+, column \d+$/);
    expect(found[0]).toBe('YAML: Nested mappings are not allowed in compact mappings at line 2, column 10');
  });

  it('suggests the known key for a misspelt one, at the top level and inside sections', () => {
    expect(issues('redsi: { url: "redis://127.0.0.1:6379" }\n')).toEqual(['(top level): Unrecognized key: "redsi" (did you mean "redis"?)']);
    expect(issues('agents: [{ nmae: a1 }]\n').join('\n')).toContain('agents.0: Unrecognized key: "nmae" (did you mean "name"?)');
    expect(issues('zebra: 1\n')).toEqual(['(top level): Unrecognized key: "zebra"']);
  });

  it('returns a deeply frozen object', () => {
    const c = buildConfig(demoConfig('alice'));
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.access.users[0])).toBe(true);
    expect(c.access.users[0]).toMatchObject({ key: 'console:alice', roles: ['admin'] });
  });

  it('finds the file from --config, then OPSLINE_CONFIG, then ./opsline.yaml', () => {
    expect(configPath('a.yaml', { OPSLINE_CONFIG: 'b.yaml' })).toEqual({ path: 'a.yaml', explicit: true });
    expect(configPath(undefined, { OPSLINE_CONFIG: 'b.yaml' })).toEqual({ path: 'b.yaml', explicit: true });
    expect(configPath(undefined, {})).toEqual({ path: 'opsline.yaml', explicit: false });
  });

  it('reads a file, and refuses an explicit path that does not exist', () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsline-config-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'console: { user: bob }\n');
    expect(loadConfigFile(file, {})?.config.console).toEqual({ user: 'bob' });
    expect(() => loadConfigFile(join(dir, 'nope.yaml'), {})).toThrow(ConfigError);
  });
});
