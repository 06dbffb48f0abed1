import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plot } from '../../../src/adapters/web/pages/chart.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mysql.js';
import { webBot, type WebBot } from '../../helpers/web-bot.js';

const VIEWER = 'console:vera';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// The bot's clock runs a year ahead: the background count's own snapshot (stamped by the database's
// clock, today) is then older than any chart's range, and only the rows this test writes are drawn.
const AHEAD = 365 * DAY;

let db: TestDatabase;
let bot: WebBot;

/** One stored snapshot of `win` at `at`, as the background count writes it: a row and one per status. */
async function snapshot(win: string, at: Date, counts: Record<string, number>): Promise<void> {
  const [r] = (await db.admin.query('INSERT INTO status_snapshots (app, win, at, took_ms) VALUES (?, ?, ?, 5)', ['tasks', win, at])) as unknown as [{ insertId: number }];
  for (const [status, n] of Object.entries(counts)) await db.admin.query('INSERT INTO status_snapshot_counts (snapshot_id, status, n) VALUES (?, ?, ?)', [r.insertId, status, n]);
}

const pointsOf = (body: string, status: string) =>
  (new RegExp(`data-status="${status}"[^>]* points="([^"]*)"`).exec(body)?.[1] ?? '')
    .split(' ')
    .filter(Boolean)
    .map((p) => p.split(',').map(Number) as [number, number]);

beforeAll(async () => {
  db = await createTestDatabase({ tasks: 'timed' });
  const status = { table: 'tasks', statusColumn: 'task_status', timeColumn: 'created_at', statuses: ['Success', 'Failed'], refreshMs: 600_000 };
  bot = await webBot({ mysql: { url: db.appUrl() }, status, access: { users: [{ key: VIEWER, roles: ['viewer'] }] } }, { now: () => new Date(Date.now() + AHEAD) });
});
afterAll(async () => {
  await bot?.stop();
  await db?.drop();
});

describe('the status chart', () => {
  it('draws the stored snapshots of the last days as an SVG on the server, one point per hour, with a table of the same numbers', async () => {
    const now = Date.now() + AHEAD;
    // Whole hours, so that two snapshots of one hour share a slice of the chart (one point an hour over a week).
    // Each a little over N days back (at most two hours), so that `?days=2` leaves out the first two.
    const hour = (back: number) => Math.floor((now - back - 2 * HOUR) / HOUR) * HOUR;
    const points = [
      { at: new Date(hour(3 * DAY) + 30 * 60_000), counts: { Success: 5, Failed: 1 } },
      { at: new Date(hour(2 * DAY) + 30 * 60_000), counts: { Success: 9, Failed: 0 } },
      { at: new Date(hour(DAY) + 40 * 60_000), counts: { Success: 2, Failed: 4 } },
    ];
    for (const p of points) await snapshot('24h', p.at, p.counts);
    // The same hour as the last point, earlier: the newer one stands for that hour.
    await snapshot('24h', new Date(hour(DAY) + 10 * 60_000), { Success: 100, Failed: 100 });
    // Older than the week shown, and another window's: neither is drawn.
    await snapshot('24h', new Date(now - 9 * DAY), { Success: 50 });
    await snapshot('7d', new Date(now - DAY), { Success: 70 });

    const cookie = await bot.signIn(VIEWER);
    const page = await bot.page('/web/status', cookie);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.body).toMatch(/<svg id="status-chart" role="img" aria-labelledby="chart-title chart-desc"/);
    expect(page.body).toContain('<title id="chart-title">Counts of 24h per status over time</title>');
    expect(page.body).toMatch(/<desc id="chart-desc">3 stored counts of the window 24h [^<]*Latest: Success 2, Failed 4\. Highest count 9\.<\/desc>/);
    // The page's clock read a moment after the test's: x may differ by a rounding step, y not at all.
    const scale = { since: new Date(now - 7 * DAY), until: new Date(now), max: 9 };
    for (const status of ['Success', 'Failed'] as const) {
      const drawn = pointsOf(page.body, status);
      const want = points.map((p) => plot(p.at, p.counts[status], scale));
      expect(drawn.map(([, y]) => y), status).toEqual(want.map((p) => p.y));
      drawn.forEach(([x], i) => expect(Math.abs(x - want[i]!.x), `${status} x ${i}`).toBeLessThanOrEqual(0.2));
    }
    // The highest count is at the top of the drawing and a zero on its baseline.
    expect(pointsOf(page.body, 'Success')[1]?.[1]).toBe(plot(new Date(now), 9, scale).y);
    expect(pointsOf(page.body, 'Failed')[1]?.[1]).toBe(plot(new Date(now), 0, scale).y);
    const rows = [...page.body.matchAll(/<tr class="point"><td>([^<]+)<\/td><td>(\d+)<\/td><td>(\d+)<\/td><\/tr>/g)].map((m) => [m[1], Number(m[2]), Number(m[3])]);
    expect(rows).toEqual(points.map((p) => [p.at.toISOString().slice(0, 16).replace('T', ' '), p.counts.Success, p.counts.Failed]));

    // Two days back: only the last hour's two snapshots, each its own point (a slice is 17 minutes then).
    expect(pointsOf((await bot.page('/web/status?days=2', cookie)).body, 'Success').map(([, y]) => y)).toEqual([plot(new Date(now), 100, { ...scale, max: 100 }).y, plot(new Date(now), 2, { ...scale, max: 100 }).y]);
    // Another window: its own snapshots.
    const week = await bot.page('/web/status?window=7d', cookie);
    expect(week.body).toContain('Counts of 7d per status over time');
    expect(pointsOf(week.body, 'Success')).toHaveLength(1);
  });
});
