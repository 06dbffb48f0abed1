import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_LOST } from '../../src/jobs/burn.js';
import { BullBurnQueue } from '../../src/services/queue/bullmq.js';
import { agentFixture, freePort, type AgentFixture } from '../helpers/agent-fixture.js';
import { startCli } from '../helpers/cli-child.js';
import { makeIso } from '../helpers/iso.js';
import { REDIS_URL, redisPrefix } from '../helpers/redis.js';
import { TestAdapter, users } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';

const OP = 'console:op';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const log = pino({ level: 'silent' });
const queueFor = (prefix: string) => new BullBurnQueue({ url: REDIS_URL, prefix, lockDurationMs: 4000, stalledIntervalMs: 1000, log });

async function fixture(drives: string[], speed: string): Promise<AgentFixture> {
  const f = await agentFixture(drives, speed);
  cleanups.push(() => f.cleanup());
  await makeIso(f.imagesDir, 'release.iso', { bytes: 2 * 1024 * 1024 });
  return f;
}

async function bot(f: AgentFixture, endpoint?: string) {
  const r = redisPrefix();
  cleanups.push(() => r.cleanup());
  const b = await TestAdapter.create({
    config: { access: { users: users({ [OP]: ['operator'] }) } },
    burns: { devices: f.client(endpoint), queue: queueFor(r.prefix) },
  });
  cleanups.push(() => b.app.stop());
  return { b, prefix: r.prefix };
}

const jobId = (t: string) => /job (b[a-z0-9]{6})/.exec(t)![1]!;

describe('/burn on BullMQ and Redis', () => {
  it('runs burns on two drives side by side', async () => {
    const f = await fixture(['d1', 'd2'], '800k');
    await f.start();
    const { b } = await bot(f);
    expect(await b.text(OP, '/burn release.iso d1')).toContain('(starting now)');
    expect(await b.text(OP, '/burn release.iso d2')).toContain('(starting now)');
    const lines = () => b.transport.messages.filter((m) => m.kind !== 'edit').map((m) => m.text);
    await until(() => lines().filter((l) => l.startsWith('@op ')).length === 2);
    const all = lines();
    const firstEnd = all.findIndex((l) => l.startsWith('@op '));
    expect(all.indexOf('writing release.iso to d1')).toBeLessThan(firstEnd);
    expect(all.indexOf('writing release.iso to d2')).toBeLessThan(firstEnd);
    expect(all.filter((l) => l.startsWith('@op ')).sort()).toEqual([
      '@op burn of release.iso on d1 finished ✔ (verified)',
      '@op burn of release.iso on d2 finished ✔ (verified)',
    ]);
  });

  it('runs two burns on one drive one after the other, and removes a queued one from another process', async () => {
    const f = await fixture(['d1'], '1500k');
    await f.start();
    const { b, prefix } = await bot(f);
    const id1 = jobId(await b.text(OP, '/burn release.iso'));
    const second = await b.text(OP, '/burn release.iso d1 --no-verify');
    expect(second).toContain('(1 ahead of it)');
    const third = await b.text(OP, '/burn release.iso');
    expect(third).toContain('(2 ahead of it)');
    const [id2, id3] = [jobId(second), jobId(third)];
    const other = await TestAdapter.create({
      config: { access: { users: users({ [OP]: ['operator'] }) } },
      burns: { devices: f.client(), queue: queueFor(prefix) },
    });
    cleanups.push(() => other.app.stop());
    expect(await other.text(OP, `/burn status ${id3}`)).toBe(`${id3} release.iso on a1/d1 for op: queued, 2 ahead`);
    expect(await other.text(OP, `/burn cancel ${id3}`)).toBe(`burn job ${id3} removed from the queue`);
    expect(await other.text(OP, `/burn status ${id3}`)).toBe(`no burn job ${id3}; /burn list shows the queued and running ones`);
    // No worker ever had it: the canceller records its end, as cancelled.
    expect(await other.app.services.jobLog?.get(id3)).toMatchObject({ id: id3, summary: 'burn of release.iso on d1', outcome: 'cancelled', result: 'burn cancelled by op before it started' });
    const lines = () => b.transport.messages.filter((m) => m.kind !== 'edit').map((m) => m.text);
    await until(() => lines().filter((l) => l.startsWith('@op ')).length === 2);
    const all = lines();
    // The canceller's process closes the thread (both test transports stand for one chat platform).
    expect(other.transport.messages.at(-1)?.text).toBe('@op burn cancelled by @op before it started');
    const firstEnd = all.indexOf('@op burn of release.iso on d1 finished ✔ (verified)');
    expect(all.lastIndexOf('writing release.iso to d1')).toBeGreaterThan(firstEnd);
    expect(all.filter((l) => l === 'writing release.iso to d1')).toHaveLength(2);
    expect(all.at(-1)).toBe('@op burn of release.iso on d1 finished ✔');
    expect(await b.text(OP, `/burn status ${id1}`)).toMatch(new RegExp(`^${id1} release.iso on a1/d1 for op: done ✔`));
    expect(await b.text(OP, `/burn status ${id2}`)).toMatch(new RegExp(`^${id2} release.iso on a1/d1 for op: done ✔`));
  });

  it('cancels a running burn from another process (its own queue and agent client)', async () => {
    const f = await fixture(['d1'], '300k');
    await f.start();
    const { b, prefix } = await bot(f);
    const id = jobId(await b.text(OP, '/burn release.iso'));
    await until(() => b.transport.messages.some((m) => m.kind === 'edit' && m.text.startsWith('writing')));
    const other = await TestAdapter.create({
      config: { access: { users: users({ [OP]: ['operator'] }) } },
      burns: { devices: f.client(), queue: queueFor(prefix) },
    });
    cleanups.push(() => other.app.stop());
    expect(await other.text(OP, `/burn status ${id}`)).toMatch(new RegExp(`^${id} release.iso on a1/d1 for op: writing [█░]{20} \\d+%`));
    expect(await other.text(OP, `/burn cancel ${id}`)).toBe(`cancelling burn job ${id} on d1; the thread shows when it has stopped`);
    await until(() => b.transport.messages.some((m) => m.text.startsWith('@op ')));
    expect(b.transport.messages.at(-1)?.text).toBe('@op burn of release.iso on d1 was cancelled; the disc may be unusable');
  });

  it('fails the job within the heartbeat timeout when the agent dies mid-burn', async () => {
    const f = await fixture(['d1'], '300k');
    const endpoint = `tcp://127.0.0.1:${await freePort()}`;
    const o = f.options();
    const config = join(f.root, 'agent.yaml');
    await writeFile(
      config,
      JSON.stringify({
        log: { level: 'info' },
        agent: { bind: endpoint, keys: o.keys, allowedClients: o.allowedClients, imagesDir: f.imagesDir, stateDir: f.stateDir, drives: f.drives, heartbeatMs: 200 },
      }),
    );
    const agent = await startCli(['--config', config, 'agent'], 'agent listening');
    cleanups.push(async () => void agent.kill('SIGKILL'));
    const { b } = await bot(f, endpoint);
    const id = jobId(await b.text(OP, '/burn release.iso'));
    await until(() => b.transport.messages.some((m) => m.kind === 'edit' && m.text.startsWith('writing')));
    agent.kill('SIGKILL');
    await until(() => b.transport.messages.some((m) => m.text.startsWith('@op ')));
    expect(b.transport.messages.at(-1)?.text).toBe(`@op ${AGENT_LOST} (release.iso on d1)`);
    // The job's failed state is written after the thread hears of it: wait for that, not for a fixed time.
    const failed = `${id} release.iso on a1/d1 for op: ✘ failed: ${AGENT_LOST}`;
    let status = '';
    await until(async () => (status = await b.text(OP, `/burn status ${id}`)) === failed).catch(() => undefined);
    expect(status).toBe(failed);
  });
});
