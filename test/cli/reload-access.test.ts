import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { accessReloader } from '../../src/cli/reload-access.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { replyToText } from '../../src/core/reply.js';
import type { Principal } from '../../src/core/principal.js';
import { captureLog, type LogCapture } from '../helpers/log-capture.js';
import { SlackDouble } from '../helpers/slack-double.js';
import { TestAdapter } from '../helpers/test-adapter.js';

const GUILD = '1100000000000000002';
const ROLE = '1200000000000000009';
const ALICE = 'console:alice';
/** On no allowlist: only the Discord guild role ROLE, mapped to `writer`, lets dee add notes. */
const DEE: Principal = { key: 'discord:80351110224678912', name: 'dee', guild: GUILD, memberRoles: [ROLE] };
/** On no allowlist: only the Slack user group SOPS lets gus add notes. */
const GUS: Principal = { key: 'slack:T1:UGRP', name: 'gus' };

let dir: string;
let slack: SlackDouble;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsline-reload-'));
  slack = await new SlackDouble().start();
  slack.groups.set('SOPS', ['UGRP']);
});
afterAll(async () => {
  await slack?.stop();
  await rm(dir, { recursive: true, force: true });
});

let bot: TestAdapter | undefined;
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
});

type Access = NonNullable<ConfigInput['access']>;
const baseAccess: Access = {
  users: [
    { key: ALICE, name: 'alice', roles: ['admin'] },
    { key: 'console:wes', name: 'wes', roles: ['writer'] },
  ],
  discordRoles: [{ guild: GUILD, role: ROLE, roles: ['writer'] }],
  slackGroups: [{ team: 'T1', group: 'SOPS', roles: ['writer'] }],
};
const config = (access: Access, more: Partial<ConfigInput> = {}): ConfigInput => ({
  slack: { signingSecret: 'reload-secret', botToken: 'xoxb-test', apiUrl: slack.apiUrl },
  access,
  ...more,
});

/** A bot from `config(baseAccess)`, its config file, and SIGHUP's reload function logging into `log`. */
async function started(): Promise<{ file: string; log: LogCapture; hup: () => void }> {
  bot = await TestAdapter.create({ config: config(baseAccess) });
  const file = join(dir, `bot-${Math.random().toString(36).slice(2)}.yaml`);
  const log = captureLog();
  return { file, log, hup: accessReloader(bot.app, file, log.log) };
}
/** The reply as the console shows it (text and fields). */
const text = async (who: Principal, line: string, room?: string) => {
  const [r] = await bot!.sayAs(who, line, room);
  return r ? replyToText(r) : '';
};
const logged = (log: LogCapture, what: string) => log.lines.filter((l) => l.includes(what));

describe('SIGHUP with a file that is empty', () => {
  // A zero-byte file is the classic broken write (a truncating editor, a full disk): every one of these
  // emptied the allowlist and logged "reloaded" before.
  for (const [what, content] of [['zero bytes', ''], ['only a comment', '# nothing\n'], ['null', 'null\n'], ['~', '~\n']] as const) {
    it(`keeps the running access when the file holds ${what}, and says why`, async () => {
      const { file, log, hup } = await started();
      await writeFile(file, content);
      hup();
      expect(logged(log, 'access allowlist reloaded')).toEqual([]);
      const [line] = logged(log, 'access allowlist not reloaded');
      expect(line).toContain('the file is empty (a write that did not finish?): it would lock every user out, so nothing was changed');
      expect(await text({ key: ALICE, name: 'alice' }, '/whoami')).toContain('admin (config)');
      expect(await text(DEE, '/note add still here')).toMatch(/^note #\d+ saved/);
    });
  }

  it('keeps the running access when the file has lost its access section, and says how to empty it on purpose', async () => {
    const { file, log, hup } = await started();
    await writeFile(file, JSON.stringify({ slack: config(baseAccess).slack }));
    hup();
    expect(logged(log, 'access allowlist not reloaded')[0]).toContain('the file has no access section');
    expect(await text({ key: ALICE, name: 'alice' }, '/whoami')).toContain('admin (config)');
    await writeFile(file, JSON.stringify(config({ users: [] })));
    hup();
    expect(logged(log, 'access allowlist reloaded')).toHaveLength(1);
    expect(await text({ key: ALICE, name: 'alice' }, '/whoami')).toMatch(/^you are not on the allowlist\. \/whoami needs/);
  });
});

describe('SIGHUP reloads all of access', () => {
  it('role mappings, approvers, grant limit, approval TTL, overrides and channel lists, all at once', async () => {
    const { file, log, hup } = await started();
    const gus = await text(GUS, '/note add from a group');
    expect(gus).toMatch(/^note #\d+ saved/);
    expect(await text(DEE, '/note add from a guild role')).toMatch(/^note #\d+ saved/);
    expect(await text({ key: 'console:wes', name: 'wes' }, '/note add no approval yet')).toMatch(/^note #\d+ saved/);
    expect(await text({ key: ALICE, name: 'alice' }, '/access grant console:vic viewer 2h')).toMatch(/^grant #\d+: console:vic has the viewer role/);

    await writeFile(
      file,
      JSON.stringify(
        config({
          users: baseAccess.users,
          // The guild role and the Slack group mappings are gone; a new group gives operator.
          slackGroups: [{ team: 'T1', group: 'SDEV', roles: ['operator'] }],
          approvers: { 'note add': ['admin'] },
          approvalTtl: '5m',
          grants: { maxDuration: '1h' },
          commands: { 'note list': ['admin'] },
          channels: { 'note search': ['ops'] },
        }),
      ),
    );
    slack.groups.set('SDEV', ['UGRP']);
    hup();
    expect(logged(log, 'access allowlist not reloaded')).toEqual([]);
    expect(logged(log, 'access allowlist reloaded')).toHaveLength(1);
    expect(await text(DEE, '/note add after the mapping went')).toBe(`you are not on the allowlist. /note add needs the writer role; your key is ${DEE.key} (an admin can add it)`);
    expect(await text(GUS, '/whoami')).toContain('operator (slack-group:SDEV)');
    expect(await text(GUS, '/whoami')).not.toContain('writer');
    expect(await text({ key: 'console:wes', name: 'wes' }, '/note add needs approval now')).toMatch(
      /^wes asks to run \/note add needs approval now; it needs the approval of someone else with the admin role within 5m: \/approve [A-Z0-9]{6}$/,
    );
    expect(await text({ key: ALICE, name: 'alice' }, '/access grant console:vic viewer 2h')).toBe('a grant lasts at most 1h (access.grants.maxDuration)');
    expect(await text({ key: 'console:wes', name: 'wes' }, '/note list')).toMatch(/needs the admin role/);
    expect(await text({ key: ALICE, name: 'alice' }, '/note search x', 'room')).toBe('/note search is not allowed in this channel');
  });

  it('refuses a file that `opsline start` would refuse (a scheduled /note add), and changes nothing', async () => {
    const { file, log, hup } = await started();
    const schedules = [{ name: 'adds', every: '1h', command: '/note add hi', post: { platform: 'console', channel: 'ops' }, roles: ['writer'] }];
    await writeFile(file, JSON.stringify(config({ users: baseAccess.users, approvers: { 'note add': ['admin'] } }, { schedules } as Partial<ConfigInput>)));
    hup();
    expect(logged(log, 'access allowlist reloaded')).toEqual([]);
    expect(logged(log, 'access allowlist not reloaded')[0]).toContain('schedules.0.command: /note add has side effects; only read-only commands may be scheduled');
    // Nothing of the refused file counts: the guild role still gives writer, and no approval is asked.
    expect(await text(DEE, '/note add unchanged')).toMatch(/^note #\d+ saved/);
  });

  it('names the sections that changed but need a restart', async () => {
    const { file, log, hup } = await started();
    await writeFile(file, JSON.stringify(config(baseAccess, { status: { table: 'app.tasks', statusColumn: 'status' }, log: { level: 'debug' } })));
    hup();
    expect(logged(log, 'access allowlist reloaded')).toHaveLength(1);
    expect(logged(log, 'not reloaded (a restart applies them): log, status changed in')).toHaveLength(1);
  });
});
