import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { chatPosters } from '../../src/adapters/posters.js';
import { buildConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { MemoryAuditSink } from '../../src/core/audit.js';
import { buildApp, type App } from '../../src/app/main.js';
import { until } from '../helpers/until.js';
import { createTestDatabase, seedTasks } from '../helpers/mysql.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { SlackDouble } from '../helpers/slack-double.js';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function slackDouble(): Promise<SlackDouble> {
  const slack = await new SlackDouble().start();
  cleanups.push(() => slack.stop());
  return slack;
}

async function start(config: ConfigInput, opts: { demo?: boolean; audit?: MemoryAuditSink } = {}): Promise<App> {
  const app = await buildApp(buildConfig(config), { log, demo: opts.demo ?? false, audit: opts.audit });
  const stopOnce = app.stop.bind(app);
  let stopped = false;
  const stop = async () => {
    if (!stopped) await stopOnce();
    stopped = true;
  };
  cleanups.push(stop);
  await app.startSchedules(chatPosters(app, log));
  return Object.assign(app, { stop });
}

const slackSection = (slack: SlackDouble) => ({ signingSecret: 'test-signing-secret-0123', botToken: 'xoxb-test', apiUrl: slack.apiUrl });
const posts = (slack: SlackDouble, channel: string) => slack.callsOf('chat.postMessage').filter((c) => c.body.channel === channel).map((c) => String(c.body.text));

/** When the named entry last ran, from /schedule's own service. */
async function lastRun(app: App, name: string): Promise<string | undefined> {
  return (await app.services.schedules?.list())?.find((r) => r.name === name)?.last?.at;
}

/** Waits for `n` more runs of the entry (whichever replica runs them). */
async function runs(app: App, name: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const before = await lastRun(app, name);
    await until(async () => (await lastRun(app, name)) !== before);
  }
}

describe('a schedule on BullMQ with the Slack double', () => {
  it('posts the /status reply to its channel every 2 s and audits each run', async () => {
    const slack = await slackDouble();
    const r = redisPrefix();
    cleanups.push(() => r.cleanup());
    const audit = new MemoryAuditSink();
    await start(
      {
        slack: slackSection(slack),
        redis: { url: REDIS_URL, prefix: r.prefix },
        status: { table: 'demo.tasks', statusColumn: 'task_status', timeColumn: 'created_at', statuses: ['Success', 'Pending', 'Failed'] },
        schedules: [{ name: 'digest', every: '2s', command: '/status today', post: { platform: 'slack', channel: 'CDIGEST' } }],
      },
      { demo: true, audit },
    );
    await slack.waitFor(() => posts(slack, 'CDIGEST').length >= 2, 20_000);
    const [first, second] = posts(slack, 'CDIGEST');
    expect(first).toMatch(/^\[digest (\d\d:\d\d(:\d\d)?) UTC\] Tasks, today: \d+ total, \d+% done(, as of [\w ]+)?\n```\n[█░]+ \d+%\nSuccess/);
    const tick = (text?: string) => /^\[digest ([\d:]+) UTC\] Tasks/.exec(text ?? '')?.[1];
    expect(tick(second)).toMatch(/^\d/);
    expect(tick(second)).not.toBe(tick(first));
    const rows = audit.records.filter((x) => x.principalKey === 'system:schedule:digest');
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows[0]).toMatchObject({ command: 'status', platform: 'slack', room: 'CDIGEST', decision: 'allow', outcome: 'ok' });
  });
});

describe('an alert on the status table (MariaDB) with the Slack double', () => {
  it('posts once when Failed rows pass the threshold, once when they go, mentioning the listed user, across a restart', async () => {
    const slack = await slackDouble();
    const r = redisPrefix();
    cleanups.push(() => r.cleanup());
    const db = await createTestDatabase({ tasks: 'timed' });
    cleanups.push(() => db.drop());
    await seedTasks(db, { Success: 5, Failed: 2 });
    const config: ConfigInput = {
      slack: slackSection(slack),
      redis: { url: REDIS_URL, prefix: r.prefix },
      mysql: { url: db.appUrl() },
      status: { table: `${db.name}.tasks`, statusColumn: 'task_status', timeColumn: 'created_at', refreshMs: 0 },
      alerts: [{ name: 'failures', every: '1s', window: '24h', status: 'Failed', above: 3, post: { platform: 'slack', channel: 'CALERTS' }, mention: ['slack:T1:UONCALL'] }],
    };
    let app = await start(config);
    await runs(app, 'failures', 2);
    expect(posts(slack, 'CALERTS')).toEqual([]);

    await seedTasks(db, { Failed: 4 });
    await slack.waitFor(() => posts(slack, 'CALERTS').length === 1, 15_000);
    expect(posts(slack, 'CALERTS')[0]).toBe('🔴 alert failures: 6 Failed in the last 24 h (alert above 3) <@UONCALL>');
    await runs(app, 'failures', 3);
    expect(posts(slack, 'CALERTS')).toHaveLength(1);

    // The state is in Redis: a new process (a restart, or another replica) does not post "fired" again.
    await app.stop();
    app = await start(config);
    await runs(app, 'failures', 3);
    expect(posts(slack, 'CALERTS')).toHaveLength(1);

    await db.sql("DELETE FROM tasks WHERE task_status = 'Failed'");
    await slack.waitFor(() => posts(slack, 'CALERTS').length === 2, 15_000);
    expect(posts(slack, 'CALERTS')[1]).toBe('🟢 alert failures cleared: 0 Failed in the last 24 h (alert above 3) <@UONCALL>');
    await runs(app, 'failures', 3);
    expect(posts(slack, 'CALERTS')).toHaveLength(2);
  });
});
