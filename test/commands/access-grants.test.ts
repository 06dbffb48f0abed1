import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAdapter, users } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';

const ADA = 'console:ada';
const VIC = 'console:vic';
const GUILD = '1100000000000000002';
const ADMINS = '1200000000000000009';
let bot: TestAdapter;

beforeAll(async () => {
  bot = await TestAdapter.create({
    config: { access: { users: users({ [ADA]: ['admin'], [VIC]: ['viewer'] }), grants: { maxDuration: '2h' }, discordRoles: [{ guild: GUILD, role: ADMINS, roles: ['admin'] }] } },
  });
});
afterAll(async () => {
  await bot.app.stop();
});

const roots = () => bot.transport.messages.filter((m) => m.kind !== 'edit').map((m) => m.text);

describe('/access grants', () => {
  it('a 3 s grant lets a viewer add a note; after it expires (announced) the same command is refused', async () => {
    expect(await bot.text(VIC, '/note add before')).toMatch(/needs the writer role/);
    const granted = await bot.text(ADA, '/access grant console:vic writer 3s covering the night shift');
    expect(granted).toMatch(/^grant #(\d+): console:vic has the writer role until \S+Z; \/access revoke \1 ends it \(MySQL is not configured: grants live in this process and will not survive a restart\)$/);
    const id = /^grant #(\d+)/.exec(granted)![1];
    expect(roots()).toContain('ada grants console:vic the writer role for 3s (covering the night shift)');
    expect(await bot.text(VIC, '/note add during the grant')).toMatch(/^note #\d+ saved/);
    expect(bot.audit.records.at(-1)).toMatchObject({ principalKey: VIC, command: 'note add', outcome: 'ok', roleSource: `grant:${id}` });
    const [who] = await bot.say(VIC, '/whoami');
    expect(who?.fields).toContainEqual({ label: 'roles', value: `viewer (config), writer (grant:${id})` });
    // Wait for the expiry line, not for a clock.
    await until(() => roots().includes(`grant #${id} has expired: console:vic no longer has the writer role`));
    expect(await bot.text(VIC, '/note add after')).toBe('/note add needs the writer role; your key is console:vic (an admin can grant it)');
    expect(bot.audit.records.at(-1)).toMatchObject({ decision: 'deny', roleSource: undefined });
  });

  it('revokes at once, lists what is in force, and refuses what makes no sense', async () => {
    const id = /^grant #(\d+)/.exec(await bot.text(ADA, '/access grant console:vic operator 1h'))![1];
    expect(await bot.text(ADA, '/access list')).toMatch(new RegExp(`^#${id} operator for console:vic, 1h left .* by console:ada\\n`));
    expect(await bot.text(ADA, `/access revoke ${id}`)).toBe(`grant #${id} revoked by ada: console:vic no longer has the operator role from it`);
    expect(await bot.text(VIC, '/eject')).toMatch(/needs the operator role/);
    expect(await bot.text(ADA, `/access revoke ${id}`)).toBe(`grant #${id} has already been revoked`);
    expect(await bot.text(ADA, '/access revoke 999')).toBe('there is no grant #999');
    expect(await bot.text(ADA, '/access list')).toMatch(/^no grants in force/);
    expect(await bot.text(ADA, '/access grant console:vic writer 3h')).toBe('a grant lasts at most 2h (access.grants.maxDuration)');
    expect(await bot.text(ADA, '/access grant console:vic wizard 1h')).toMatch(/role must be one of/);
    expect(await bot.text(ADA, '/access grant console:vic writer forever')).toMatch(/duration/);
    expect(await bot.text(ADA, '/access grant bob writer 1h')).toMatch(/^name the user with a mention/);
    expect(await bot.text(ADA, '/access grant <@U123> writer 1h')).toMatch(/^name the user with a mention/);
    expect(await bot.text(VIC, '/access grant console:vic admin 1h')).toMatch(/needs the admin role/);
    expect(await bot.text(ADA, '/access list')).toMatch(/^no grants in force/);
  });

  it('a time-boxed admin cannot grant, neither to itself nor to others; nobody grants to themselves', async () => {
    const id = /^grant #(\d+)/.exec(await bot.text(ADA, '/access grant console:vic admin 10m'))![1];
    const [whoami] = await bot.say(VIC, '/whoami');
    expect(whoami?.fields).toContainEqual({ label: 'roles', value: `viewer (config), admin (grant:${id})` });
    expect(await bot.text(VIC, '/access grant console:vic admin 2h')).toBe('you cannot grant yourself a role; ask another admin');
    expect(bot.audit.records.at(-1)).toMatchObject({ principalKey: VIC, command: 'access grant', decision: 'allow', outcome: 'error', errorCode: 'denied' });
    expect(await bot.text(VIC, '/access grant console:zed admin 2h')).toBe(
      `your admin role is itself a grant (grant:${id}): only an admin from config, a Slack group or a Discord role may grant roles`,
    );
    expect(bot.audit.records.at(-1)).toMatchObject({ principalKey: VIC, command: 'access grant', outcome: 'error', errorCode: 'denied' });
    expect(await bot.text(ADA, '/access grant console:ada writer 1h')).toBe('you cannot grant yourself a role; ask another admin');
    expect(roots().filter((t) => t.startsWith('vic grants') || t.startsWith('ada grants console:ada'))).toEqual([]);
    // Only the first grant exists: nothing the refusals asked for was stored.
    expect((await bot.text(ADA, '/access list')).split('\n')).toEqual([expect.stringMatching(new RegExp(`^#${id} admin for console:vic, `)), expect.any(String)]);
    // An admin by a configured Discord role mapping is a configured admin.
    const dora = { key: 'discord:80351110224678912', name: 'dora', guild: GUILD, memberRoles: [ADMINS] };
    const [byRole] = await bot.sayAs(dora, '/access grant console:zed viewer 1h');
    expect(byRole?.text).toMatch(/^grant #\d+: console:zed has the viewer role/);
    await bot.text(ADA, `/access revoke ${id}`);
  });
});
