import { afterEach, describe, expect, it } from 'vitest';
import { discordMemberRoles } from '../../../src/adapters/discord/members.js';
import { DiscordDouble } from '../../helpers/discord-double.js';
import { HookServer } from '../../helpers/hook-server.js';
import { IDS } from '../../helpers/discord-payloads.js';
import { webBot, type WebBot } from '../../helpers/web-bot.js';
import { until } from '../../helpers/until.js';
import { openLink, postContinue, sessionCookie } from '../../helpers/web-signin.js';
import { openStream } from '../../helpers/web-stream.js';

const ADMIN_ROLE = '1200000000000000001';
const OP_ROLE = '1200000000000000002';
const VIEWER = '1300000000000000001';
const ONLY_DISCORD = '1300000000000000002';
const MEMBERS = /^\/guilds\/\d+\/members\/\d+$/;

const DEPLOYER = 'console:dora';

let bot: WebBot | undefined;
let discord: DiscordDouble | undefined;
let hooks: HookServer | undefined;
afterEach(async () => {
  await bot?.stop();
  await discord?.stop();
  await hooks?.stop();
  bot = discord = hooks = undefined;
});

/**
 * The bot with a Discord section pointing at the double, and roles from two guild roles; and a deploy
 * target whose job runs until the hook server's status says done (a job a live stream can follow).
 */
async function setUp(now?: () => Date): Promise<{ bot: WebBot; discord: DiscordDouble }> {
  discord = await new DiscordDouble().start();
  hooks = await new HookServer().start();
  bot = await webBot(
    {
      discord: { token: discord.botToken, applicationId: IDS.application, apiUrl: discord.apiUrl },
      deploy: { targets: [{ name: 'site', kind: 'webhook', url: hooks.url('/ok'), poll: { url: hooks.url('/status'), intervalSec: 0.1, doneMatch: 'done', failMatch: 'broken' } }] },
      access: {
        users: [
          { key: `discord:${VIEWER}`, roles: ['viewer'] },
          { key: DEPLOYER, roles: ['deployer'] },
        ],
        discordRoles: [
          { guild: IDS.guild, role: ADMIN_ROLE, roles: ['admin'] },
          { guild: IDS.guild, role: OP_ROLE, roles: ['operator'] },
        ],
      },
    },
    { discordMemberRoles, ...(now ? { now } : {}) },
  );
  return { bot, discord };
}

/** A sign-in by a link `/web` gave in a Discord guild (the link carries the guild, not the member's roles). */
async function signIn(b: WebBot, user: string): Promise<Response> {
  const t = await b.app.services.web!.links.issue({ key: `discord:${user}`, name: `user${user.slice(-4)}`, guild: IDS.guild });
  return postContinue(b.base, await openLink(`${b.base}/web/signin?t=${t}`));
}

describe('roles on the web come from the same sources as in chat', () => {
  it('reads Discord roles through the guild member API: a member whose guild role gives admin sees the audit page, with no banner', async () => {
    const { bot: b, discord: d } = await setUp();
    d.memberRoles.set(ONLY_DISCORD, [ADMIN_ROLE]);
    const res = await signIn(b, ONLY_DISCORD);
    expect(res.status).toBe(303);
    const audit = await b.page('/web/audit', sessionCookie(res));
    expect(audit.status).toBe(200);
    expect(audit.body).not.toContain('class="banner"');
    const calls = d.callsTo('GET', MEMBERS);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls[0]).toMatchObject({ route: `/guilds/${IDS.guild}/members/${ONLY_DISCORD}`, auth: `Bot ${d.botToken}`, status: 200 });
  });

  it('says which roles it could not check while Discord does not answer, grants none of them, and checks again once it does', async () => {
    const { bot: b, discord: d } = await setUp();
    d.memberRoles.set(VIEWER, [ADMIN_ROLE]);
    d.outage('GET', MEMBERS, 503);
    const res = await signIn(b, VIEWER);
    // Listed as a viewer in the config: signed in on that alone.
    expect(res.status).toBe(303);
    const cookie = sessionCookie(res);
    const jobs = await b.page('/web/jobs', cookie);
    expect(jobs.status).toBe(200);
    expect(jobs.body).toContain('<p class="banner" role="alert">Some roles could not be checked now');
    expect(jobs.body).toContain(`admin (Discord role ${ADMIN_ROLE}), operator (Discord role ${OP_ROLE})`);
    expect((await b.page('/web/audit', cookie)).status).toBe(403);

    d.restore();
    const audit = await b.page('/web/audit', cookie);
    expect(audit.status).toBe(200);
    expect(audit.body).not.toContain('class="banner"');
  });

  it('keeps the session of someone whose only roles are Discord\'s while Discord is down (503, not signed out), and refuses a new sign-in then', async () => {
    let now = Date.parse('2026-12-05T10:00:00Z');
    const { bot: b, discord: d } = await setUp(() => new Date(now));
    d.memberRoles.set(ONLY_DISCORD, [OP_ROLE]);
    const res = await signIn(b, ONLY_DISCORD);
    expect(res.status).toBe(303);
    const cookie = sessionCookie(res);
    now += 61_000;
    d.outage('GET', MEMBERS, 503);
    const down = await b.page('/web/jobs', cookie);
    expect(down.status).toBe(503);
    // Every role the guild's configured roles might give: which ones this member holds is what Discord would say.
    expect(down.body).toContain(`could not be checked now: admin (Discord role ${ADMIN_ROLE}), operator (Discord role ${OP_ROLE})`);
    expect(down.headers.getSetCookie()).toEqual([]);
    const refused = await signIn(b, ONLY_DISCORD);
    expect(refused.status).toBe(503);
    expect(sessionCookie(refused)).toBe('');
    expect(b.audit.records.filter((r) => r.command === 'web signin').map((r) => [r.outcome, r.errorCode])).toEqual([['ok', undefined], ['refused', 'unavailable']]);

    d.restore();
    expect((await b.page('/web/jobs', cookie)).status).toBe(200);
  });

  it('signs out someone the guild no longer gives a role (Discord answered: that is an answer)', async () => {
    let now = Date.parse('2026-12-05T10:00:00Z');
    const { bot: b, discord: d } = await setUp(() => new Date(now));
    d.memberRoles.set(ONLY_DISCORD, [OP_ROLE]);
    const cookie = sessionCookie(await signIn(b, ONLY_DISCORD));
    d.memberRoles.set(ONLY_DISCORD, []);
    now += 61_000;
    const gone = await b.page('/web/jobs', cookie);
    expect(gone.status).toBe(403);
    expect(gone.body).toContain('no longer on the allowlist');
  });

  it('holds a job page\'s live stream while Discord cannot check its viewer\'s only roles, and sends what it held once it can', async () => {
    let now = Date.parse('2026-12-05T10:00:00Z');
    const { bot: b, discord: d } = await setUp(() => new Date(now));
    d.memberRoles.set(ONLY_DISCORD, [OP_ROLE]);
    const cookie = sessionCookie(await signIn(b, ONLY_DISCORD));
    const id = /job (d[a-z0-9]{6})/.exec((await b.say(DEPLOYER, '/deploy site main')).text)?.[1] ?? '';
    expect(id).not.toBe('');
    const stream = await openStream(b, id, cookie);
    await stream.until(/event: status/);

    now += 61_000;
    d.outage('GET', MEMBERS, 503);
    // The next re-check (every 5 s) cannot ask Discord: as the pages' 503, that is no removal.
    await stream.until(/event: unchecked\ndata: .*could not be checked now: admin \(Discord role \d+\), operator \(Discord role \d+\)/);
    const heldFrom = stream.text.length;
    hooks!.statusBody = 'done';
    await until(async () => (await b.app.services.deploys!.queue.get(id))?.state === 'finished');
    // The job ended while the roles could not be checked: nothing of it is sent, and the stream stays open.
    expect(stream.text.slice(heldFrom)).not.toMatch(/^event: (output|line|final)/m);
    expect(stream.done).toBe(false);

    d.restore();
    await stream.until(/event: checked[\s\S]*event: final/);
    await stream.closed;
    expect(stream.text.slice(heldFrom)).toMatch(/event: checked\ndata: \{\}\n\n(id: \d+-\d+\nevent: \w+\n[^\n]*\n\n|: keep-alive\n\n)*id: \d+-\d+\nevent: final/);
    // Still signed in.
    expect((await b.page('/web/jobs', cookie)).status).toBe(200);
  }, 60_000);

  it('ends a job page\'s live stream, and the session, once Discord answers that its viewer holds no role', async () => {
    let now = Date.parse('2026-12-05T10:00:00Z');
    const { bot: b, discord: d } = await setUp(() => new Date(now));
    d.memberRoles.set(ONLY_DISCORD, [OP_ROLE]);
    const cookie = sessionCookie(await signIn(b, ONLY_DISCORD));
    const id = /job (d[a-z0-9]{6})/.exec((await b.say(DEPLOYER, '/deploy site main')).text)?.[1] ?? '';
    const stream = await openStream(b, id, cookie);
    await stream.until(/event: status/);
    d.memberRoles.set(ONLY_DISCORD, []);
    now += 61_000;
    await stream.closed;
    expect(stream.text).not.toContain('event: unchecked');
    expect((await b.page('/web/jobs', cookie)).status).toBe(401);
    hooks!.statusBody = 'done';
  }, 60_000);
});

