import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.js';
import type { AlertEntry } from '../../src/config/schedules.js';
import { MemoryAuditSink } from '../../src/core/audit.js';
import { UserError } from '../../src/core/errors.js';
import { checkAlert } from '../../src/schedules/alert.js';
import { ScheduleRunner } from '../../src/schedules/runner.js';
import { MemoryScheduleStore } from '../../src/schedules/stores.js';
import { nextDue } from '../../src/schedules/timer-clock.js';
import type { Post } from '../../src/schedules/types.js';
import type { StatusReport, StatusService } from '../../src/core/ports.js';
import { hookedBot } from '../helpers/hooked-bot.js';
import { RecordingPoster } from '../helpers/recording-poster.js';
import { ADMIN, TestAdapter, users } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';

const VIEWER = 'console:vic';
const DEPLOYER = 'console:dee';
const poster = new RecordingPoster('console');

const t = hookedBot((hooks) =>
  TestAdapter.create({
    config: {
      access: { users: users({ [ADMIN]: ['admin'], [VIEWER]: ['viewer'], [DEPLOYER]: ['deployer'] }) },
      status: { table: 'demo.tasks', statusColumn: 'task_status', timeColumn: 'created_at', statuses: ['Success', 'Pending', 'Failed'] },
      deploy: { targets: [{ name: 'broken', kind: 'webhook', method: 'POST', url: hooks.url('/fail') }] },
      schedules: [
        { name: 'digest', every: '1s', command: '/status 24h', post: { platform: 'console', channel: 'ops' } },
        { name: 'nightly', cron: '0 2 * * *', timezone: 'Europe/Berlin', command: '/jobs', post: { platform: 'console', channel: 'ops' } },
      ],
      jobFailures: { post: { platform: 'console', channel: 'alerts' }, mention: ['console:oncall'] },
    },
  }),
);
beforeAll(async () => {
  await t.bot.app.startSchedules([poster]);
});

describe('schedules in one process (no Redis)', () => {
  it('runs the command through the dispatcher as the schedule principal, posts the reply and audits the run', async () => {
    await until(() => poster.posts.some((p) => p.channel === 'ops' && p.text.startsWith('[digest ')));
    const post = poster.posts.find((p) => p.text.startsWith('[digest '))!;
    expect(post.text).toMatch(/^\[digest \d\d:\d\d(:\d\d)? UTC\] Tasks, last 24 hours: \d+ total, \d+% done(, as of [\w ]+)?\n[█░]+ \d+%\nSuccess/);
    const rows = t.bot.audit.records.filter((r) => r.principalKey === 'system:schedule:digest');
    expect(rows[0]).toMatchObject({ command: 'status', platform: 'console', room: 'ops', decision: 'allow', outcome: 'ok', argsJson: '{"text":"24h"}' });
    // One audit row per post (a run in flight may have audited and not yet posted).
    expect(rows.length).toBeGreaterThanOrEqual(poster.posts.filter((p) => p.text.startsWith('[digest ')).length);
  });

  it('/schedule list shows every schedule with its next run, last run and outcome', async () => {
    await until(() => poster.posts.some((p) => p.text.startsWith('[digest ')));
    const [r] = await t.bot.say(VIEWER, '/schedule list');
    expect(r?.text).toBe('2 scheduled (times in UTC)');
    expect(r?.pre).toMatch(/^schedule digest · every 1s → console ops\n {2}next \d{4}-\d\d-\d\d \d\d:\d\d:\d\d · last .*: posted/m);
    expect(r?.pre).toMatch(/^schedule nightly · cron 0 2 \* \* \* Europe\/Berlin → console ops\n {2}next \d{4}-\d\d-\d\d (00|01):00:00 · not run yet$/m);
  });

  it('/schedule run runs one now for an admin only', async () => {
    expect(await t.bot.text(VIEWER, '/schedule run nightly')).toMatch(/needs the admin role/);
    expect(await t.bot.text(ADMIN, '/schedule run nightly')).toBe('nightly: posted');
    expect(poster.posts.at(-1)?.text).toMatch(/^\[nightly, run by hand\] no job queue is configured here|^\[nightly, run by hand\] no jobs/);
    expect(await t.bot.text(ADMIN, '/schedule run constructor')).toBe('no schedule or alert called constructor; see /schedule list');
    const [list] = await t.bot.say(VIEWER, '/schedule list');
    expect(list?.pre).toMatch(/schedule nightly .*\n .* last .*: posted$/m);
  });

  it('posts a failed deploy to the jobFailures channel, mentioning the listed principals', async () => {
    expect(await t.bot.text(DEPLOYER, '/deploy broken v1')).toMatch(/^deploy job d[a-z0-9]{6} of broken at v1 queued/);
    await until(() => poster.posts.some((p) => p.channel === 'alerts'));
    const post = poster.posts.find((p) => p.channel === 'alerts')!;
    expect(post.text).toMatch(/^✘ deploy of broken v1 failed \(job d[a-z0-9]{6}, requested by dee\): /);
    expect(post.mentions).toEqual(['console:oncall']);
  });
});

describe('a run that starts long after its tick', () => {
  it('is posted once and marked late', async () => {
    const posts: Post[] = [];
    const config = buildConfig({ schedules: [{ name: 'digest', every: '1m', command: '/help', post: { platform: 'console', channel: 'ops' } }] });
    const now = new Date('2026-11-27T09:47:00Z');
    const runner = new ScheduleRunner(new Map([['digest', config.schedules![0]!]]), new Map(), {
      dispatcher: t.bot.app.dispatcher,
      store: new MemoryScheduleStore(),
      outbox: { deliver: async (_t, p) => void posts.push(p) },
      log: pino({ level: 'silent' }),
      now: () => now,
    });
    expect(await runner.run('digest', { scheduledAt: new Date('2026-11-27T09:00:00Z'), manual: false })).toBe('posted (late)');
    expect(posts[0]?.reply.text).toMatch(/^\[digest 09:00 UTC, late: ran 09:47\] /);
    expect(await runner.run('digest', { scheduledAt: new Date('2026-11-27T09:46:30Z'), manual: false })).toBe('posted');
  });
});

describe('the in-process clock', () => {
  it('computes cron ticks in the time zone and every ticks from the start', () => {
    const from = Date.parse('2026-11-27T10:00:00Z');
    expect(new Date(nextDue({ name: 'x', platform: 'console', channel: 'c', cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' }, from, from)).toISOString()).toBe('2026-11-30T08:00:00.000Z');
    expect(nextDue({ name: 'x', platform: 'console', channel: 'c', everyMs: 1000, timezone: 'UTC' }, from + 2500, from)).toBe(from + 3000);
  });
});

describe('alert conditions', () => {
  const status = (counts: Record<string, number>, done: number): StatusService => ({
    hasTimeColumn: true,
    async report(window): Promise<StatusReport> {
      const list = Object.entries(counts).map(([s, count]) => ({ status: s, count }));
      return { window, counts: list, total: list.reduce((a, c) => a + c.count, 0), done, at: new Date() };
    },
  });
  const alert = (extra: Partial<AlertEntry>): AlertEntry =>
    ({ name: 'a', every: 300_000, timezone: 'Europe/Berlin', window: 'today', post: { platform: 'console', channel: 'c' }, mention: [], ...extra }) as AlertEntry;
  const at = new Date('2026-11-27T16:30:00Z'); // 17:30 in Berlin

  it('fires only when every condition it names holds', async () => {
    expect(await checkAlert(alert({ status: 'Failed', above: 10 }), status({ Failed: 11 }, 0), at)).toEqual({ firing: true, summary: '11 Failed today (alert above 10)' });
    expect((await checkAlert(alert({ status: 'Failed', above: 10 }), status({ Failed: 10 }, 0), at)).firing).toBe(false);
    expect(await checkAlert(alert({ percentDoneBelow: 80, after: '17:00' }), status({ Success: 7, Failed: 3 }, 7), at)).toEqual({
      firing: true,
      summary: '70% done today (alert below 80%), 17:30 Europe/Berlin (alert after 17:00)',
    });
    expect((await checkAlert(alert({ percentDoneBelow: 80, after: '18:00' }), status({ Success: 7, Failed: 3 }, 7), at)).firing).toBe(false);
    expect((await checkAlert(alert({ percentDoneBelow: 80 }), status({}, 0), at)).firing).toBe(false);
  });

  it('writes one audit row per check, whatever it ends in', async () => {
    const audit = new MemoryAuditSink();
    let failed = 11;
    const broken: StatusService = { hasTimeColumn: true, report: () => Promise.reject(new UserError('unavailable', 'database unavailable')) };
    const deps = { dispatcher: t.bot.app.dispatcher, store: new MemoryScheduleStore(), outbox: { deliver: async () => undefined }, log: pino({ level: 'silent' }), now: () => at, audit };
    const runner = (s: StatusService) => new ScheduleRunner(new Map(), new Map([['a', alert({ status: 'Failed', above: 10 })]]), { ...deps, status: s });
    const live: StatusService = { hasTimeColumn: true, report: (w) => status({ Failed: failed }, 0).report(w) };
    expect(await runner(live).run('a', { scheduledAt: at, manual: false })).toMatch(/^fired, posted/);
    failed = 12;
    expect(await runner(live).run('a', { scheduledAt: at, manual: false })).toMatch(/^firing, no change/);
    expect(await runner(broken).run('a', { scheduledAt: at, manual: false })).toBe('failed: database unavailable');
    const row = { principalKey: 'system:alert:a', platform: 'console', room: 'c', command: 'alert', argsJson: '{"name":"a","window":"today"}', decision: 'allow' };
    expect(audit.records).toEqual([
      expect.objectContaining({ ...row, outcome: 'ok' }),
      expect.objectContaining({ ...row, outcome: 'ok' }),
      expect.objectContaining({ ...row, outcome: 'error', errorCode: 'unavailable' }),
    ]);
  });
});
