import { describe, expect, it } from 'vitest';
import { hookedBot } from '../helpers/hooked-bot.js';
import { TestAdapter, users } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';

const DEE = 'console:dee';
const DAN = 'console:dan';
const VIC = 'console:vic';
const ADA = 'console:ada';

const t = hookedBot((hooks) =>
  TestAdapter.create({
    config: {
      access: {
        users: users({ [DEE]: ['deployer'], [DAN]: ['deployer'], [VIC]: ['viewer', 'writer'], [ADA]: ['admin'] }),
        // A command marked in config: a note needs an admin's approval.
        approvers: { 'note add': ['admin'] },
      },
      deploy: { targets: [{ name: 'prod', kind: 'webhook', url: hooks.url('/ok'), approvers: ['deployer'] }, { name: 'dev', kind: 'webhook', url: hooks.url('/ok') }] },
    },
  }),
);

const rowsOf = (key: string) => t.bot.audit.records.filter((r) => r.principalKey === key);

describe('two-person approval', () => {
  it('holds a deploy until a second deployer approves it; the requester cannot approve their own; the deploy runs once', async () => {
    const before = t.bot.audit.records.length;
    const [asked] = await t.bot.say(DEE, '/deploy prod v2');
    expect(asked?.visibility).toBe('channel');
    expect(asked?.text).toMatch(/^dee asks to run \/deploy prod v2; it needs the approval of someone else with the deployer role within 15m: \/approve [A-Z2-9]{6}$/);
    const code = asked!.approve!.code;
    expect(t.hooks.requests).toHaveLength(0);

    expect(await t.bot.text(DEE, `/approve ${code}`)).toBe(`request ${code} is your own; someone else must approve it. Nothing was run`);
    expect(await t.bot.text(VIC, `/approve ${code}`)).toBe(`approving /deploy needs the deployer role; your key is ${VIC}. Nothing was run`);
    expect(t.hooks.requests).toHaveLength(0);

    expect(await t.bot.text(DAN, `/approve ${code.toLowerCase()}`)).toMatch(/^deploy job d[a-z0-9]{6} of prod at v2 queued/);
    expect(await t.bot.text(DAN, `/approve ${code}`)).toBe(`no request is waiting for approval ${code}; nothing was run`);
    await until(() => t.hooks.requests.length > 0);

    // Every invocation, refused approvals included, is exactly one audit row; the approval names both people.
    const rows = t.bot.audit.records.slice(before);
    expect(rows.map((r) => [r.principalKey, r.command, r.outcome, r.errorCode])).toEqual([
      [DEE, 'deploy run', 'pending', undefined],
      [DEE, 'approve', 'error', 'denied'],
      [VIC, 'approve', 'error', 'denied'],
      [DAN, 'approve', 'ok', undefined],
      [DAN, 'approve', 'error', 'not_found'],
    ]);
    expect(rows[3]).toMatchObject({ requesterKey: DEE, roleSource: 'config', jobId: expect.stringMatching(/^d[a-z0-9]{6}$/) });
    expect(new Set(rows.map((r) => r.invocationId)).size).toBe(rows.length);
    // Nothing else reaches the CI: the deploy ran once.
    await t.bot.say(ADA, '/jobs');
    expect(t.hooks.requests).toHaveLength(1);
  });

  it('needs no approval for a target without approvers', async () => {
    expect(await t.bot.text(DEE, '/deploy dev v3')).toMatch(/^deploy job d[a-z0-9]{6} of dev at v3 queued/);
  });

  it('holds a command marked in access.approvers; an admin approves it', async () => {
    const [asked] = await t.bot.say(VIC, '/note add needs an admin');
    const code = asked!.approve!.code;
    expect((await t.bot.app.services.notes.search(['needs', 'admin'], 5))).toEqual([]);
    expect(await t.bot.text(DAN, `/approve ${code}`)).toBe(`approving /note add needs the admin role; your key is ${DAN}. Nothing was run`);
    expect(await t.bot.text(ADA, `/approve ${code}`)).toMatch(/^note #\d+ saved/);
    const [note] = await t.bot.app.services.notes.search(['needs', 'admin'], 5);
    expect(note).toMatchObject({ authorKey: VIC, body: 'needs an admin' });
    expect(rowsOf(ADA).at(-1)).toMatchObject({ command: 'approve', outcome: 'ok', requesterKey: VIC });
  });

  it('refuses an unknown or malformed code and changes nothing', async () => {
    expect(await t.bot.text(DAN, '/approve ZZZZZZ')).toBe('no request is waiting for approval ZZZZZZ; nothing was run');
    expect(await t.bot.text(DAN, '/approve not-a-code')).toMatch(/code/);
  });
});
