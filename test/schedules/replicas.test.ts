import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';
import { startCli } from '../helpers/cli-child.js';
import { createTestDatabase, type TestDatabase } from '../helpers/mysql.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { SlackDouble } from '../helpers/slack-double.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function configFile(slack: SlackDouble, prefix: string, db: TestDatabase): string {
  const dir = mkdtempSync(join(tmpdir(), 'opsline-replicas-'));
  const file = join(dir, 'opsline.yaml');
  writeFileSync(
    file,
    [
      'http: { port: 0, host: 127.0.0.1 }',
      `slack: { signingSecret: test-signing-secret-0123, botToken: xoxb-test, apiUrl: "${slack.apiUrl}" }`,
      `redis: { url: "${REDIS_URL}", prefix: ${prefix} }`,
      `mysql: { url: "${db.appUrl()}" }`,
      `status: { table: ${db.name}.tasks, statusColumn: task_status, timeColumn: created_at }`,
      'schedules:',
      '  - { name: digest, every: 2s, command: /status today, post: { platform: slack, channel: CDIGEST } }',
    ].join('\n'),
  );
  return file;
}

async function replica(file: string, command: 'start' | 'worker' = 'start'): Promise<ChildProcess> {
  const child = await startCli(['--config', file, command], command === 'start' ? 'opsline started' : 'opsline worker started');
  cleanups.push(async () => void child.kill('SIGKILL'));
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Seconds since midnight UTC of a post's tick label (`[digest 11:10:14 UTC] …`; a whole minute is `11:10`). */
function tickOf(text: string): number {
  const m = /^\[digest (\d\d):(\d\d)(?::(\d\d))? UTC(, late: ran [\d:]+)?\] Tasks, today/.exec(text);
  if (!m) throw new Error(`not a digest post: ${text}`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
}

describe('opsline start replicas and workers with one schedule', () => {
  it('post each tick once (two replicas), audit each run once, and a worker catches up at most once after downtime', async () => {
    const slack = await new SlackDouble().start();
    cleanups.push(() => slack.stop());
    const r = redisPrefix();
    cleanups.push(() => r.cleanup());
    const db = await createTestDatabase({ tasks: 'timed' });
    cleanups.push(() => db.drop());
    const file = configFile(slack, r.prefix, db);
    const posts = () => slack.callsOf('chat.postMessage').filter((c) => c.body.channel === 'CDIGEST').map((c) => String(c.body.text));

    const [a, b] = await Promise.all([replica(file), replica(file)]);
    await slack.waitFor(() => posts().length >= 4, 30_000);
    await Promise.all([stop(a), stop(b)]);
    const seen = posts();
    const ticks = seen.map(tickOf);
    expect(new Set(ticks).size).toBe(ticks.length);
    // Every tick is the scheduler's: whole intervals apart (second labels; a 2 s interval).
    const sorted = [...ticks].sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i++) expect((sorted[i]! - sorted[0]!) % 2).toBe(0);
    const [row] = await db.sql<{ n: number }>("SELECT COUNT(*) AS n FROM audit_log WHERE principal_key = 'system:schedule:digest' AND command = 'status'");
    expect(Number(row?.n)).toBe(seen.length);

    // Both down: wait until the pending tick is three intervals overdue, then start a worker (schedules only).
    const q = new Queue('schedules.slack', { connection: { url: REDIS_URL }, prefix: r.prefix });
    cleanups.push(() => q.close());
    const next = (await q.getJobScheduler('digest'))?.next ?? 0;
    await until(() => Date.now() > next + 6_000);
    const restartedAt = new Date();
    const c = await replica(file, 'worker');
    await slack.waitFor(() => posts().length >= seen.length + 3, 30_000);
    await stop(c);
    const after = posts().slice(seen.length);
    const restart = restartedAt.getUTCHours() * 3600 + restartedAt.getUTCMinutes() * 60 + restartedAt.getUTCSeconds();
    const stale = after.filter((t) => tickOf(t) < restart);
    expect(stale).toHaveLength(1);
    expect(stale[0]).toMatch(/^\[digest [\d:]+ UTC, late: ran [\d:]+\] /);
    expect(after[0]).toBe(stale[0]);
  }, 150_000);
});
