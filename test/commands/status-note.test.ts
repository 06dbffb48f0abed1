import { describe, expect, it } from 'vitest';
import { ADMIN, TestAdapter, users } from '../helpers/test-adapter.js';
import { replyToText } from '../../src/core/reply.js';

const now = new Date('2026-11-22T12:00:00Z');

describe('/status on the demo data', () => {
  it('counts by status in the configured order with total, percentage and bar', async () => {
    const t = await TestAdapter.create({
      config: {
        access: { users: users({ [ADMIN]: ['admin'] }) },
        status: { table: 't', statusColumn: 's', timeColumn: 'c', statuses: ['Success', 'Pending', 'Failed', 'Cancelled'] },
      },
      now: () => now,
    });
    const [r] = await t.say(ADMIN, '/status all');
    expect(r?.visibility).toBe('channel');
    const lines = replyToText(r!).split('\n');
    expect(r!.pre?.split('\n')[0]).toMatch(/^[█░]{20} \d+%$/);
    expect(lines[0]).toMatch(/^Tasks, all time: 240 total, \d+% done(, as of [\w ]+)?$/);
    expect(lines[1]).toMatch(/^[█░]{20} \d+%$/);
    expect(lines.slice(2).map((l) => l.split(/\s+/)[0])).toEqual(['Success', 'Pending', 'Failed', 'Cancelled', 'Total']);
    expect(lines.at(-2)).toMatch(/^Cancelled\s+0$/);
    const counts = lines.slice(2, 6).map((l) => Number(l.split(/\s+/)[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(240);
    expect(lines[0]).toContain(`${Math.round((counts[0]! / 240) * 100)}% done`);
    const week = await t.text(ADMIN, '/status 7d');
    expect(Number(/: (\d+) total/.exec(week)?.[1])).toBeLessThan(240);
  });

  it('says when status is not configured', async () => {
    const t = await TestAdapter.create({ config: { access: { users: users({ [ADMIN]: ['admin'] }) } } });
    expect(await t.say(ADMIN, '/status')).toMatchObject([{ code: 'not_configured', text: 'status is not configured (no status table or storage)' }]);
  });
});

describe('/note on the in-memory notebook', () => {
  it('adds verbatim, lists newest first with id, author and age, and searches', async () => {
    let clock = new Date('2026-11-22T12:00:00Z');
    const t = await TestAdapter.create({
      config: { access: { users: users({ 'console:wendy': ['writer'], 'console:vic': ['viewer'] }) } },
      demo: false,
      now: () => clock,
    });
    expect(await t.text('console:wendy', '/note add   rotated the "backup" key 🔑  ')).toBe(
      'note #1 saved (storage not configured: notes are kept in memory until restart)',
    );
    clock = new Date(clock.getTime() + 5 * 60_000);
    await t.say('console:wendy', '/note add 100% of disks_checked');
    expect(await t.text('console:vic', '/note list')).toBe(
      ['#2 wendy · just now — 100% of disks_checked', '#1 wendy · 5m ago — rotated the "backup" key 🔑'].join('\n'),
    );
    expect(await t.text('console:vic', '/note list 1')).toBe('#2 wendy · just now — 100% of disks_checked');
    expect(await t.text('console:vic', '/note search BACKUP key')).toMatch(/^#1 wendy/);
    expect(await t.text('console:vic', '/note search %')).toMatch(/^#2 wendy/);
    expect(await t.text('console:vic', '/note search nothing-like-it')).toBe('no notes match "nothing-like-it"');
    const stored = await t.app.services.notes.list(1);
    expect(stored[0]).toMatchObject({ authorKey: 'console:wendy', authorName: 'wendy', platform: 'test', room: 'room' });
  });

  it('limits n and note length with specific replies', async () => {
    const t = await TestAdapter.create({ config: { access: { users: users({ [ADMIN]: ['admin'] }) } }, demo: false });
    expect(await t.text(ADMIN, '/note list')).toBe('no notes yet; add one with /note add <text>');
    expect(await t.text(ADMIN, `/note add ${'a'.repeat(2000)}`)).toMatch(/^note #1 saved/);
    expect(await t.text(ADMIN, `/note add ${'a'.repeat(2001)}`)).toBe('text is too long (2001 characters, at most 2000). Usage: /note add <text>');
  });
});

describe('/help and /whoami', () => {
  it('lists only what the caller may run', async () => {
    const t = await TestAdapter.create({ config: { access: { users: users({ 'console:vic': ['viewer'], [ADMIN]: ['admin'] }) } } });
    const viewer = await t.text('console:vic', '/help');
    expect(viewer).toContain('/note list [n] · /note search <words>');
    expect(viewer).not.toContain('/note add');
    expect(viewer).not.toContain('/audit');
    expect(await t.text(ADMIN, '/help')).toContain('/audit [n]');
    expect(await t.text('console:vic', '/help audit')).toBe('you may not run /audit');
    expect(await t.text('console:vic', '/help /status')).toContain('examples:\n  /status\n  /status 7d');
    expect(await t.text('console:vic', '/help bogus')).toBe('unknown command /bogus; try /help');
  });

  it('shows the key and roles', async () => {
    const t = await TestAdapter.create({ config: { access: { users: [{ key: 'console:vic', roles: ['viewer', 'writer'] }] } } });
    expect(await t.say('console:vic', '/whoami')).toEqual([
      {
        text: 'You are vic',
        visibility: 'ephemeral',
        fields: [
          { label: 'key', value: 'console:vic' },
          { label: 'roles', value: 'viewer (config), writer (config)' },
        ],
      },
    ]);
  });
});

describe('/audit', () => {
  it('shows recent rows to admins, newest first', async () => {
    const t = await TestAdapter.create({ config: { access: { users: users({ [ADMIN]: ['admin'] }) } } });
    await t.say('console:stranger', '/status');
    await t.say(ADMIN, '/whoami');
    const lines = (await t.text(ADMIN, '/audit 2')).split('\n');
    expect(lines[0]).toMatch(/^just now console:admin \/whoami allow\/ok \d+ms$/);
    expect(lines[1]).toMatch(/^just now console:stranger \/status deny\/refused \(denied\) \d+ms$/);
  });
});
