import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleEntry } from '../../src/config/schedules.js';
import { scheduleIssues } from '../../src/schedules/check.js';
import { ADMIN, TestAdapter, users } from '../helpers/test-adapter.js';

const VIEWER = 'console:vic';
const WRITER = 'console:wes';
const STRANGER = 'console:eve';

let bot: TestAdapter;
beforeAll(async () => {
  bot = await TestAdapter.create({ config: { access: { users: users({ [ADMIN]: ['admin'], [VIEWER]: ['viewer'], [WRITER]: ['writer'] }) } } });
});
afterAll(async () => bot.stop());

describe('replies name commands as the caller typed them (issue 27 item 6)', () => {
  it('a refusal of a default subcommand names the command typed, not its internal subcommand', async () => {
    expect(await bot.text(VIEWER, '/burn x.iso')).toBe('/burn needs the operator role; your key is console:vic (an admin can grant it)');
    expect(await bot.text(VIEWER, '/deploy site main')).toMatch(/^\/deploy needs the /);
    // A subcommand the caller typed is named as typed.
    expect(await bot.text(VIEWER, '/burn cancel b1')).toBe('/burn cancel needs the operator role; your key is console:vic (an admin can grant it)');
  });

  it('someone with no role for any part of a command hears no subcommand names', async () => {
    for (const line of ['/access bogus', '/access']) {
      const text = await bot.text(WRITER, line);
      expect(text, line).toMatch(/^\/access needs the .* role; your key is console:wes \(an admin can grant it\)$/);
      expect(text, line).not.toMatch(/revoke|list|run|one of|which one/);
    }
    expect(await bot.text(STRANGER, '/note bogus')).toBe('you are not on the allowlist; your key is console:eve (an admin can add it)');
  });

  it('someone allowed part of a command still gets the list to choose from', async () => {
    expect(await bot.text(VIEWER, '/note bogus')).toMatch(/^unknown subcommand "bogus"; one of: add, list, search/);
  });

  it('a schedule refused at start names its command as the config writes it', () => {
    const s = { name: 'd', every: '1m', timezone: 'UTC', command: '/deploy site main', roles: ['viewer'], post: { platform: 'console', channel: 'c' } } as unknown as ScheduleEntry;
    expect(scheduleIssues([s], bot.app.registry, bot.app.access)).toEqual(['schedules.0.command: /deploy has side effects; only read-only commands may be scheduled']);
  });
});
