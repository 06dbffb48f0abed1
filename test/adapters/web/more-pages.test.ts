import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell } from '../../../src/adapters/web/pages/audit-csv.js';
import { webBot, type WebBot } from '../../helpers/web-bot.js';

const ADMIN = 'console:admin';
const WRITER = 'console:wanda';
const DEPLOYER = 'console:dora';
const VIEWER = 'console:vera';

let bot: WebBot;
const cookies = new Map<string, string>();
beforeAll(async () => {
  bot = await webBot({
    access: { users: [ADMIN, WRITER, DEPLOYER, VIEWER].map((key, i) => ({ key, roles: [(['admin', 'writer', 'deployer', 'viewer'] as const)[i]!] })) },
    deploy: { targets: [{ name: 'site', kind: 'webhook', url: 'http://127.0.0.1:9/hook' }, { name: 'db', kind: 'webhook', url: 'http://127.0.0.1:9/db', roles: ['admin'] }] },
    schedules: [{ name: 'digest', every: '1h', command: '/status', post: { platform: 'console', channel: 'ops' } }],
  });
  for (const key of [ADMIN, WRITER, DEPLOYER, VIEWER]) cookies.set(key, await bot.signIn(key));
});
afterAll(async () => {
  await bot?.stop();
});

const as = (key: string) => cookies.get(key) ?? '';
const CSP = "default-src 'none'; script-src 'self'";

/** A form POST from this site with the session's cookie (and its CSRF token unless told otherwise). */
async function post(key: string, path: string, fields: Record<string, string>, csrf?: string) {
  const token = csrf ?? (await bot.page('/web/notes', as(key))).csrf ?? '';
  const res = await fetch(`${bot.base}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie: as(key), origin: bot.base, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf: token, ...fields }) });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

describe('the notes page', () => {
  it('adds a note through /note add (audited, platform web), shows a <script> note as text, searches; a viewer gets no form and a forged add is refused', async () => {
    const added = await post(WRITER, '/web/notes', { text: '<script>alert(1)</script> rotated the backup key' });
    expect(added.status).toBe(200);
    expect(added.headers.get('content-security-policy')).toContain(CSP);
    expect(added.body).toMatch(/note #\d+ saved/);
    expect(added.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; rotated the backup key');
    expect(added.body).not.toContain('<script>alert');
    const row = bot.audit.records.filter((r) => r.command === 'note add');
    expect(row).toMatchObject([{ principalKey: WRITER, platform: 'web', decision: 'allow', outcome: 'ok' }]);

    const found = await bot.page('/web/notes?q=backup%20rotated', as(VIEWER));
    expect(found.status).toBe(200);
    expect(found.body).toContain('&lt;script&gt;alert(1)');
    expect(found.body).not.toContain('Welcome to the opsline demo');
    expect((await bot.page('/web/notes', as(VIEWER))).body).toContain('Welcome to the opsline demo');
    // /help's rule: a viewer may list and search, not add, so the page offers no form.
    expect(found.body).not.toContain('name="text"');
    expect((await bot.page('/web/notes', as(WRITER))).body).toContain('name="text"');

    const before = (await bot.app.services.notes.list(50)).length;
    const forged = await post(VIEWER, '/web/notes', { text: 'from a viewer' });
    expect(forged.status).toBe(403);
    const noToken = await post(WRITER, '/web/notes', { text: 'no token' }, 'wrong');
    expect(noToken.status).toBe(403);
    expect((await bot.app.services.notes.list(50)).length).toBe(before);
    expect(bot.audit.records.filter((r) => r.command === 'note add').map((r) => `${r.principalKey} ${r.decision} ${r.outcome}`)).toEqual([`${WRITER} allow ok`, `${VIEWER} deny refused`]);
    // Too many words for the search: a short answer, nothing searched.
    expect((await bot.page(`/web/notes?q=${'a%20'.repeat(9)}`, as(VIEWER))).status).toBe(400);
  });
});

describe('the deploys and schedules pages', () => {
  it('list targets with their locks and last deploys, and whether the viewer may deploy each; schedules with next and last runs', async () => {
    expect((await bot.say(DEPLOYER, '/deploy lock site release freeze')).text).toMatch(/locked/);
    const page = await bot.page('/web/deploys', as(DEPLOYER));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain(CSP);
    const rows = [...page.body.matchAll(/<tr><td>(\w+)<\/td><td>[^<]*<\/td><td>([^<]*)<\/td><td>(yes|no)<\/td><td>(locked by \w+|unlocked)/g)].map((m) => m.slice(1));
    expect(rows).toEqual([
      ['site', 'deployer', 'yes', 'locked by dora'],
      ['db', 'admin', 'no', 'unlocked'],
    ]);
    expect(page.body).toContain('(release freeze)');
    expect((await bot.page('/web/deploys', as(VIEWER))).body).toMatch(/<td>site<\/td><td>[^<]*<\/td><td>deployer<\/td><td>no<\/td>/);

    const schedules = await bot.page('/web/schedules', as(VIEWER));
    expect(schedules.status).toBe(200);
    expect(schedules.headers.get('content-security-policy')).toContain(CSP);
    expect(schedules.body).toMatch(/<td>digest<\/td><td>schedule<\/td><td>every 1h<\/td><td>console ops<\/td>/);
  });
});

describe('the audit page', () => {
  it('filters by principal, command, outcome and time, pages, and exports CSV with safe cells; a viewer is refused and audited', async () => {
    const base = Date.parse('2026-01-02T10:00:00Z');
    for (let i = 0; i < 60; i++)
      bot.audit.write({ at: new Date(base + i * 60_000), invocationId: `i${i}`, principalKey: i % 2 ? 'slack:T1:U1' : 'discord:G1:42', platform: 'test', room: 'C1', command: i % 3 ? 'burn' : 'burn cancel', argsJson: '{}', decision: 'allow', outcome: i % 5 ? 'ok' : 'error', durationMs: i });
    // Cells a spreadsheet would take for formulas, and ones that need quoting.
    bot.audit.write({ at: new Date(base + 61 * 60_000), invocationId: 'evil', principalKey: 'slack:T1:U1', platform: 'test', room: '=HYPERLINK("http://x.invalid","click")', command: 'note add', argsJson: '{"text":"a, \\"b\\"\\nc"}', decision: 'allow', outcome: 'ok', durationMs: 1 });

    const page = await bot.page('/web/audit?user=U1&command=burn&outcome=ok&from=2026-01-02T10:00&to=2026-01-02T10:40', as(ADMIN));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain(CSP);
    const shown = [...page.body.matchAll(/<tr><td>([^<]+)<\/td><td>([^<]+)<\/td><td>test<\/td><td>\/([^<]+)<\/td><td>allow<\/td><td>(\w+)<\/td><td><\/td><td>(\d+)<\/td><\/tr>/g)].map((m) => Number(m[5]));
    const want = Array.from({ length: 41 }, (_, i) => i).filter((i) => i % 2 === 1 && i % 5 !== 0).reverse();
    expect(shown).toEqual(want);
    // Paged: 50 a page, newest first.
    const first = await bot.page('/web/audit', as(ADMIN));
    expect(first.body).toContain('>older</a>');
    const second = await bot.page('/web/audit?page=2', as(ADMIN));
    expect(second.body).toContain('>newer</a>');

    const csv = await fetch(`${bot.base}/web/audit.csv?command=note`, { headers: { cookie: as(ADMIN) } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-security-policy')).toContain(CSP);
    const text = await csv.text();
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('at,principal,platform,room,command,args,decision,outcome,error,job,duration_ms,role_source,requester');
    expect(lines[1]).toBe(`2026-01-02T11:01:00.000Z,slack:T1:U1,test,"'=HYPERLINK(""http://x.invalid"",""click"")",note add,"{""text"":""a, \\""b\\""\\nc""}",allow,ok,,,1,,`);
    // The note added through the web earlier is there too; nothing else.
    expect(lines.filter(Boolean)).toHaveLength(2 + bot.audit.records.filter((r) => r.command === 'note add' && r.invocationId !== 'evil').length);
    expect(bot.audit.records.at(-1)).toMatchObject({ principalKey: ADMIN, platform: 'web', command: 'web audit export', outcome: 'ok' });

    for (const path of ['/web/audit', '/web/audit.csv']) {
      const refused = await bot.page(path, as(VIEWER));
      expect(refused.status, path).toBe(403);
      expect(refused.headers.get('content-security-policy')).toContain(CSP);
      expect(bot.audit.records.at(-1), path).toMatchObject({ principalKey: VIEWER, platform: 'web', command: 'audit', decision: 'deny', outcome: 'refused' });
    }
  });

  it('quotes and defuses CSV cells', () => {
    expect(['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', 'plain', 'a,b', 'say "hi"', 'two\nlines', '', undefined, 42].map(csvCell)).toEqual([
      "'=1+1",
      "'+1",
      "'-1",
      "'@SUM(A1)",
      "'\t=1",
      'plain',
      '"a,b"',
      '"say ""hi"""',
      '"two\nlines"',
      '',
      '',
      '42',
    ]);
  });
});
