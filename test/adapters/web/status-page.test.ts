import { afterEach, describe, expect, it } from 'vitest';
import { dispatchLine } from '../../helpers/command-line.js';
import { webBot, type WebBot } from '../../helpers/web-bot.js';

let bot: WebBot | undefined;
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
});

const VIEWER = 'console:vera';

describe('the status page', () => {
  it('shows the counts of every window as /status gives them', async () => {
    bot = await webBot({
      access: { users: [{ key: VIEWER, roles: ['viewer'] }] },
      status: { table: 't', statusColumn: 's', timeColumn: 'c', statuses: ['Success', 'Pending', 'Failed', 'Cancelled'] },
    });
    const cookie = await bot.signIn(VIEWER);
    const page = await bot.page('/web/status', cookie);
    expect(page.status).toBe(200);
    expect([...page.body.matchAll(/<h2>([^<]+)<\/h2>/g)].map((m) => m[1])).toEqual(['today', '24h', '7d', 'all']);
    const week = await bot.page('/web/status?window=7d', cookie);
    const rows = new Map([...week.body.matchAll(/<tr><td>(\w+)<\/td><td>(\d+)<\/td><\/tr>/g)].map((m) => [m[1], Number(m[2])]));
    const chat = await dispatchLine(bot.app, VIEWER, '/status 7d');
    const said = `${chat.text}\n${chat.pre ?? ''}\n${(chat.fields ?? []).map((f) => `${f.label}: ${f.value}`).join('\n')}`;
    expect(rows.size).toBeGreaterThan(0);
    for (const [status, count] of rows) expect(said, status).toMatch(new RegExp(`${status}\\D+${count}\\b`));
  });
});
