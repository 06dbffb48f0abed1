import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, buildConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { buildApp } from '../../src/app/main.js';
import { CLI } from '../helpers/cli-child.js';

const slack = { signingSecret: 'secret-0123456789', botToken: 'xoxb-test', apiUrl: 'http://127.0.0.1:1/api/' };
const post = { platform: 'slack', channel: 'C0123ABCD' };
const schedule = (extra: Record<string, unknown>) => ({ name: 'digest', every: '15m', command: '/status', post, ...extra });

/** The issues a config fails with, whether the schema or the start (commands, roles) finds them. */
async function issues(config: Record<string, unknown>): Promise<readonly string[]> {
  try {
    const c = buildConfig({ slack, status: { table: 't.tasks', statusColumn: 's', timeColumn: 'at' }, ...config } as ConfigInput, 'test');
    const app = await buildApp(c, { log: pino({ level: 'silent' }), demo: true });
    await app.stop();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  return [];
}

/** `opsline <command>` (default start) with a config file: its exit code and stderr. */
function start(yaml: string, command = 'start'): Promise<{ code: number | null; err: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'opsline-sched-'));
  writeFileSync(join(dir, 'opsline.yaml'), yaml);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, '--config', join(dir, 'opsline.yaml'), command], { env: { PATH: process.env.PATH }, cwd: dir });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, err }));
  });
}

const header = `http: { port: 0, host: 127.0.0.1 }\nslack: { signingSecret: s3cret-0123, botToken: xoxb-t, apiUrl: "http://127.0.0.1:1/api/" }\n`;

describe('opsline start refuses a bad schedule with its key path', () => {
  it('a command with side effects', async () => {
    const r = await start(`${header}schedules:\n  - { name: adder, every: 1m, command: /note add hi, post: { platform: slack, channel: C1 } }\n`);
    expect(r.code).toBe(2);
    expect(r.err).toContain('schedules.0.command: /note add has side effects; only read-only commands may be scheduled');
  });

  it('and opsline doctor names the same key', async () => {
    const r = await start(`${header}schedules:\n  - { name: adder, every: 1m, command: /note add hi, post: { platform: slack, channel: C1 } }\n`, 'doctor');
    expect(r.code).toBe(2);
    expect(r.err).toContain('schedules.0.command: /note add has side effects; only read-only commands may be scheduled');
  });

  it('opsline doctor also refuses an access override that names no command, as start does', async () => {
    const r = await start(`${header}access: { users: [], commands: { stauts: [admin] } }\n`, 'doctor');
    expect(r.code).toBe(2);
    expect(r.err).toContain('access.commands.stauts: no command or subcommand is called "stauts"');
  });

  it('an unknown platform', async () => {
    const r = await start(`${header}schedules:\n  - { name: x, every: 1m, command: /status, post: { platform: teams, channel: C1 } }\n`);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/schedules\.0\.post\.platform: Invalid option: expected one of "slack"\|"discord"\|"console"/);
  });

  it('a bad cron expression', async () => {
    const r = await start(`${header}schedules:\n  - { name: x, cron: "61 9 * * *", command: /status, post: { platform: slack, channel: C1 } }\n`);
    expect(r.code).toBe(2);
    expect(r.err).toContain('schedules.0.cron: not a valid cron expression');
  });
});

describe('schedule and alert config', () => {
  it('accepts read-only commands, including subcommands, and defaults timezone and roles', async () => {
    const c = buildConfig({ slack, schedules: [schedule({ command: '/note list 5' }), schedule({ name: 'j', command: '/jobs', cron: '0 9 * * 1-5', every: undefined })] });
    expect(c.schedules?.[0]).toMatchObject({ timezone: 'UTC', roles: ['viewer'] });
    // Every command docs/schedules.md calls read-only.
    const readOnly = ['/status', '/burn list', '/burn status', '/jobs', '/deploy list', '/note list', '/note search x', '/images', '/drives', '/help', '/schedule list'];
    expect(await issues({ schedules: readOnly.map((command, i) => schedule({ name: `s${i}`, command })) })).toEqual([]);
  });

  it('names every problem at its key', async () => {
    expect(await issues({ schedules: [schedule({ command: '/nope' })] })).toEqual(['schedules.0.command: unknown command /nope']);
    expect(await issues({ schedules: [schedule({ command: '/status tomorrow' })] })).toEqual([
      "schedules.0.command: window must be one of: today, 24h, 7d, all (usage: /status [today|24h|7d|all])",
    ]);
    expect(await issues({ schedules: [schedule({ command: '/audit' })] })).toEqual(['schedules.0.roles: /audit needs one of admin']);
    expect(await issues({ schedules: [schedule({ command: '/audit', roles: ['admin'] })] })).toEqual([]);
    expect(await issues({ access: { users: [], channels: { status: ['COTHER'] } }, schedules: [schedule({})] })).toEqual([
      'schedules.0.post.channel: access.channels does not allow /status in C0123ABCD',
    ]);
    expect(await issues({ schedules: [schedule({ command: '/schedule run digest' })] })).toEqual([
      'schedules.0.command: /schedule run has side effects; only read-only commands may be scheduled',
    ]);
    expect(await issues({ schedules: [schedule({ cron: '0 9 * *' })] })).toEqual(
      expect.arrayContaining(['schedules.0: give either cron or every', expect.stringMatching(/^schedules\.0\.cron: a cron expression has 5 fields/)]),
    );
    expect(await issues({ schedules: [schedule({ timezone: 'Mars/Base' })] })).toEqual(['schedules.0.timezone: an IANA time zone such as UTC or Europe/Berlin']);
    // A valid cron with a bad time zone: the time zone is wrong, not the cron.
    const { every: _, ...byCron } = schedule({ cron: '0 9 * * 1-5', timezone: 'Europe/Berln' });
    expect(await issues({ schedules: [byCron] })).toEqual(['schedules.0.timezone: an IANA time zone such as UTC or Europe/Berlin']);
    expect(await issues({ schedules: [schedule({ every: '0s' })] })).toEqual([expect.stringMatching(/^schedules\.0\.every: a duration/)]);
    expect(await issues({ schedules: [schedule({ post: { platform: 'discord', channel: '123456789' } })] })).toEqual([
      'schedules.0.post.platform: discord is not configured (no discord section)',
    ]);
  });

  it('checks alerts: a condition, a status with above, unique names, mentions on the post platform', async () => {
    const alert = (extra: Record<string, unknown>) => ({ name: 'failures', status: 'Failed', above: 10, post, ...extra });
    expect(await issues({ alerts: [alert({})] })).toEqual([]);
    expect(await issues({ alerts: [alert({ above: undefined })] })).toEqual(['alerts.0: give above (with status) or percentDoneBelow, or both']);
    expect(await issues({ alerts: [alert({ status: undefined })] })).toEqual(['alerts.0.status: required with above: the status whose count is watched']);
    expect(await issues({ alerts: [alert({ after: '25:00' })] })).toEqual(['alerts.0.after: a time of day, HH:MM (24-hour)']);
    expect(await issues({ status: undefined, alerts: [alert({})] })).toEqual(['alerts.0: alerts watch the status table: add a status section']);
    expect(await issues({ status: { table: 't.tasks', statusColumn: 's' }, alerts: [alert({})] })).toEqual(['alerts.0.window: only all works without status.timeColumn']);
    expect(await issues({ alerts: [alert({ mention: ['discord:80351110224678912'] })] })).toEqual([
      'alerts.0.mention.0: posts go to slack: a discord user cannot be mentioned there',
    ]);
    expect(await issues({ schedules: [schedule({ name: 'failures' })], alerts: [alert({})] })).toEqual([
      'alerts.0.name: duplicate name failures (also schedules.0); schedules and alerts share one list of names',
    ]);
    expect(await issues({ jobFailures: { post: { platform: 'discord', channel: '123456789' } } })).toEqual([
      'jobFailures.post.platform: discord is not configured (no discord section)',
    ]);
  });
});
